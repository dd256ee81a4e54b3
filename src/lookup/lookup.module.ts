import { Module } from '@nestjs/common';
import { PhoneNumberResolver } from './phone-number-resolver.js';

@Module({
  providers: [PhoneNumberResolver],
  exports: [PhoneNumberResolver],
})
export class LookupModule {}
