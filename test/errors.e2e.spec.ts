import { Controller, Get, Post, Body } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import request from 'supertest';
import { Public } from '../src/auth/auth.decorators.js';
import { DatabaseError } from '../src/database/database-error.js';
import { createTestApp, TestApp } from './support/test-app.js';
import { TEST_JWT_SECRET, TEST_TWILIO_AUTH_TOKEN } from './support/test-config.js';

class EchoDto {
  @ApiProperty({ description: 'a name' })
  @IsString()
  name: string;
}

@Controller('probe')
@Public()
class FailingController {
  @Get('crash')
  crash(): never {
    throw new Error(`boom at /srv/app/secret.ts with ${TEST_JWT_SECRET} and ${TEST_TWILIO_AUTH_TOKEN}`);
  }

  @Get('db-down')
  databaseDown(): never {
    throw new DatabaseError('unavailable', `connect ECONNREFUSED postgres://user:${TEST_JWT_SECRET}@db`, 'ECONNREFUSED');
  }

  @Post('echo')
  echo(@Body() body: EchoDto): EchoDto {
    return body;
  }
}

describe('error responses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ controllers: [FailingController] });
  });
  afterAll(() => t.close());

  it('turns an unknown error into a generic 500 with a reference, and no stack or secret', async () => {
    const res = await request(t.server).get('/probe/crash').set('x-request-id', 'req-abc');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'An unexpected error occurred. Quote reference req-abc to support',
      correlation_id: 'req-abc',
    });
    for (const leak of ['boom', 'secret.ts', TEST_JWT_SECRET, TEST_TWILIO_AUTH_TOKEN, 'at ']) expect(res.text).not.toContain(leak);
  });

  it('says the database is unavailable without the connection string', async () => {
    const res = await request(t.server).get('/probe/db-down');
    expect(res.status).toBe(503);
    expect(res.body.message).toBe('The database is unavailable; try again shortly');
    expect(res.text).not.toContain(TEST_JWT_SECRET);
  });

  it('rejects unknown fields and wrong types field by field', async () => {
    const res = await request(t.server).post('/probe/echo').send({ name: 5, extra: true });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { field: 'extra', message: 'property extra should not exist' },
        { field: 'name', message: 'name must be a string' },
      ]),
    );
  });

  it('answers invalid JSON with a 400, not a 500', async () => {
    const res = await request(t.server).post('/probe/echo').set('content-type', 'application/json').send('{"name":');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, message: 'The request body is not valid JSON or form data' });
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await request(t.server).get('/nope');
    expect([401, 404]).toContain(res.status);
    expect(res.body.statusCode).toBe(res.status);
  });
});
