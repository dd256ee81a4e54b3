import { Module } from '@nestjs/common';
import { CompaniesModule } from '../companies/companies.module.js';
import { LookupModule } from '../lookup/lookup.module.js';
import { DebugController } from './debug.controller.js';
import { DebugService } from './debug.service.js';

@Module({
  imports: [LookupModule, CompaniesModule],
  controllers: [DebugController],
  providers: [DebugService],
})
export class DebugModule {}
