import { Transform } from 'class-transformer';
import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { checkDialOutNumber, dialOutProblemMessage } from '../../lookup/dial-out.js';
import { businessHoursProblems } from '../business-hours.js';

/** Trims strings so that "   " counts as empty. */
export const Trim = (): PropertyDecorator => Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

const LANGUAGE = /^[a-z]{2,3}(-[a-z]{4})?(-([a-z]{2}|[0-9]{3}))?$/i;

/** A BCP 47 language tag (language, optional script, optional region), canonicalised: "es-mx" → "es-MX". */
export const CanonicalLanguage = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => {
    if (typeof value !== 'string' || !LANGUAGE.test(value.trim())) return value;
    try {
      return Intl.getCanonicalLocales(value.trim())[0];
    } catch {
      return value;
    }
  });

export function IsLanguageTag(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isLanguageTag',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a BCP 47 language tag such as es-MX or en-US`, ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && LANGUAGE.test(value),
      },
    });
}

/** A number the platform's account may dial for the company: E.164, fixed-line, mobile or toll-free (DESIGN §4). */
export function IsDialOutNumber(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isDialOutNumber',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) =>
          typeof args.value === 'string'
            ? dialOutProblemMessage(args.property, checkDialOutNumber(args.value))
            : `${args.property} must be a phone number in E.164 form`,
        ...options,
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && checkDialOutNumber(value).ok },
    });
}

export function IsBusinessHours(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isBusinessHours',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: (args: ValidationArguments) => businessHoursProblems(args.value, args.property).join('; '),
        ...options,
      },
      validator: { validate: (value: unknown) => businessHoursProblems(value).length === 0 },
    });
}

/** The property may be sent only when `other` is not: two names for one field. */
export function IsAbsentWith(other: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isAbsentWith',
      target: target.constructor,
      propertyName: propertyName as string,
      constraints: [other],
      options: { message: `send ${other} or ${String(propertyName)}, not both`, ...options },
      validator: {
        validate: (_value: unknown, args: ValidationArguments) => (args.object as Record<string, unknown>)[other] === undefined,
      },
    });
}
