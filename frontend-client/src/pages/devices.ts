/**
 * A device in words ("Chrome on Linux") from its User-Agent, by the same rules as the
 * server's security log (server/securitylog/devices.py), so that the Security page names a
 * session's device as the log names its sign-in. The Session type carries only the
 * User-Agent; keep the two lists in step.
 */

// Order matters: many browsers also claim to be the ones they are built on (Edge says
// Chrome and Safari, Chrome says Safari, …).
const BROWSERS: [string, RegExp][] = [
  ['Edge', /\bEdg(?:e|A|iOS)?\//],
  ['Opera', /\b(?:OPR|OPT|Opera)\//],
  ['Samsung Internet', /\bSamsungBrowser\//],
  ['Yandex Browser', /\bYaBrowser\//],
  ['Vivaldi', /\bVivaldi\//],
  ['Firefox', /\b(?:Firefox|FxiOS)\//],
  ['Chrome', /\b(?:Chrome|CriOS|Chromium)\//],
  ['Safari', /\bVersion\/[\d.]+.*\bSafari\/|\bMobile\/\w+ Safari|AppleWebKit\/.*\bMobile\//],
  ['Internet Explorer', /\bMSIE |\bTrident\//],
  ['Android app', /\bokhttp\/|\bDalvik\//],
  ['iOS app', /\bCFNetwork\//],
  ['Dart app', /\bDart\//],
  ['curl', /^curl\//],
  ['Python', /\bpython-requests\/|\bpython-httpx\/|^Python-urllib\//],
];

const SYSTEMS: [string, RegExp][] = [
  ['Windows Phone', /\bWindows Phone\b/],
  ['Windows', /\bWindows\b/],
  ['Android', /\bAndroid\b|\bDalvik\/|\bokhttp\//],
  ['iOS', /\b(?:iPhone|iPad|iPod)\b|\biOS\b|\bCFNetwork\//],
  ['macOS', /\bMac OS X\b|\bMacintosh\b|\bDarwin\//],
  ['ChromeOS', /\bCrOS\b/],
  ['Linux', /\bLinux\b|\bX11\b/],
];

// Longer User-Agents are cut before they are matched, as on the server.
const MAX_LENGTH = 512;

function first(patterns: [string, RegExp][], text: string): string {
  return patterns.find(([, pattern]) => pattern.test(text))?.[0] ?? '';
}

export function describeDevice(userAgent: string | null | undefined): string {
  const text = (userAgent ?? '').slice(0, MAX_LENGTH);
  const browser = first(BROWSERS, text);
  const system = first(SYSTEMS, text);
  if (browser && system) return `${browser} on ${system}`;
  return browser || (system ? `A browser on ${system}` : 'Unknown device');
}
