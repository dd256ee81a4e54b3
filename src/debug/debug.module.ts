import { Module } from '@nestjs/common';
import { LookupModule } from '../lookup/lookup.module.js';
import { DebugController } from './debug.controller.js';
import { DebugService } from './debug.service.js';

@Module({
  imports: [LookupModule],
  controllers: [DebugController],
  providers: [DebugService],
})
export class DebugModule {}
