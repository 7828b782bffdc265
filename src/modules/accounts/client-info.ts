import type { Request } from 'express';

/** The device cookie the pages set; API clients send `X-Device-Id` instead. */
export const DEVICE_COOKIE = 'ac_device';

export interface ClientInfo {
  /** `req.ip`: the socket address, or the forwarded one when TRUST_PROXY says so. */
  readonly ip: string;
  readonly userAgent?: string;
  /** 16 to 128 characters of the client's choosing; anything else counts as no device id. */
  readonly deviceId?: string;
}

export function clientInfo(request: Request): ClientInfo {
  const cookie = (request.cookies as Record<string, unknown> | undefined)?.[DEVICE_COOKIE];
  const deviceId = [request.headers['x-device-id'], cookie].find(
    (value): value is string => typeof value === 'string' && value.length >= 16 && value.length <= 128,
  );
  return { ip: request.ip ?? request.socket.remoteAddress ?? 'unknown', userAgent: request.headers['user-agent'], deviceId };
}
