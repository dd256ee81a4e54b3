import { describeHours } from './phrases.js';

describe('describeHours', () => {
  it('lists open days in order, in the language', () => {
    const hours = {
      time_zone: 'UTC',
      weekly: {
        sat: [['10:00', '14:00']] as [string, string][],
        mon: [
          ['09:00', '13:00'],
          ['15:00', '18:00'],
        ] as [string, string][],
      },
    };
    expect(describeHours(hours, 'en')).toBe('Monday 09:00 to 13:00 and 15:00 to 18:00; Saturday 10:00 to 14:00');
    expect(describeHours(hours, 'es')).toBe('lunes 09:00 a 13:00 y 15:00 a 18:00; sábado 10:00 a 14:00');
  });
});
