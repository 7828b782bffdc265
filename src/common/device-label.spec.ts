import { deviceLabel, deviceName } from './device-label';

const HEADLESS_CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('device labels', () => {
  it('names the browser and the system for people', () => {
    expect(deviceName(HEADLESS_CHROME)).toEqual({ browser: 'Chrome', os: 'Linux' });
    expect(deviceLabel(HEADLESS_CHROME, 'en')).toBe('Chrome on Linux');
    expect(deviceLabel(IPHONE, 'en')).toBe('Safari on iOS');
    expect(deviceLabel(IPHONE, 'zh-CN')).toBe('iOS 上的 Safari');
  });

  it('says so when the user agent names nothing it knows', () => {
    expect(deviceLabel('', 'en')).toBe('Unknown device');
    expect(deviceLabel(null, 'zh-CN')).toBe('未知设备');
    expect(deviceLabel('curl/8.5.0', 'en')).toBe('Unknown device');
  });
});
