/**
 * A streaming reader for AMQP 0-9-1 frames and the few methods the tap in
 * amqp-tap.ts needs. Frame layout (AMQP 0-9-1 section 4.2.3): type (octet),
 * channel (short), size (long), payload, frame-end octet 0xCE. Body frames
 * are skipped without being buffered, so a 128 MiB message costs no memory.
 */

export const FRAME_METHOD = 1;
export const FRAME_HEADER = 2;
export const FRAME_BODY = 3;
const FRAME_END = 0xce;
const FRAME_HEADER_BYTES = 7;
/** "AMQP" 0 0 9 1, sent once by the client before its first frame. */
const PROTOCOL_HEADER_BYTES = 8;
/**
 * Method and content-header frames are kept whole; none is larger than the
 * negotiated frame_max (RabbitMQ's default is 128 KiB). A larger size means
 * the stream is not AMQP or the reader lost its place.
 */
const MAX_BUFFERED_FRAME_BYTES = 16 * 1024 * 1024;

export type FrameListener = (type: number, channel: number, payload: Buffer | undefined) => void;

export class FrameReader {
  private buffer: Buffer = Buffer.alloc(0);
  private skipBytes: number;
  private desynchronized = false;

  /** @param skipProtocolHeader true for the client-to-server direction, which starts with the protocol header. */
  constructor(
    private readonly onFrame: FrameListener,
    skipProtocolHeader: boolean,
    private readonly onDesync: (reason: string) => void,
  ) {
    this.skipBytes = skipProtocolHeader ? PROTOCOL_HEADER_BYTES : 0;
  }

  /** Feeds the next chunk of the byte stream; frames are reported as they complete. */
  push(chunk: Buffer): void {
    if (this.desynchronized) return;
    let data = chunk;
    if (this.skipBytes > 0) {
      const skipped = Math.min(this.skipBytes, data.length);
      this.skipBytes -= skipped;
      data = data.subarray(skipped);
    }
    if (data.length === 0) return;
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    while (this.buffer.length >= FRAME_HEADER_BYTES && !this.desynchronized) {
      const type = this.buffer.readUInt8(0);
      const channel = this.buffer.readUInt16BE(1);
      const size = this.buffer.readUInt32BE(3);
      if (type === FRAME_BODY) {
        // Report the body frame, then skip its payload and frame-end as they arrive.
        this.onFrame(type, channel, undefined);
        this.buffer = this.buffer.subarray(FRAME_HEADER_BYTES);
        this.skipBytes = size + 1;
        const skipped = Math.min(this.skipBytes, this.buffer.length);
        this.skipBytes -= skipped;
        this.buffer = this.buffer.subarray(skipped);
        continue;
      }
      if (size > MAX_BUFFERED_FRAME_BYTES) return this.desync(`frame of type ${type} declares ${size} bytes`);
      const total = FRAME_HEADER_BYTES + size + 1;
      if (this.buffer.length < total) return;
      if (this.buffer.readUInt8(total - 1) !== FRAME_END) return this.desync(`frame of type ${type} does not end with 0xCE`);
      const payload = Buffer.from(this.buffer.subarray(FRAME_HEADER_BYTES, total - 1));
      this.buffer = this.buffer.subarray(total);
      this.onFrame(type, channel, payload);
    }
  }

  private desync(reason: string): void {
    this.desynchronized = true;
    this.buffer = Buffer.alloc(0);
    this.onDesync(reason);
  }
}

/** Sequential reader over a method's arguments. */
export class ArgumentReader {
  private offset: number;

  constructor(
    private readonly payload: Buffer,
    offset = 4,
  ) {
    this.offset = offset;
  }

  octet(): number {
    const value = this.payload.readUInt8(this.offset);
    this.offset += 1;
    return value;
  }

  short(): number {
    const value = this.payload.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  long(): number {
    const value = this.payload.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  longlong(): number {
    const value = Number(this.payload.readBigUInt64BE(this.offset));
    this.offset += 8;
    return value;
  }

  shortString(): string {
    const length = this.octet();
    const value = this.payload.toString("utf8", this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** Skips a field table or long string: a 32-bit length, then that many bytes. */
  skipLongBlock(): void {
    const length = this.long();
    this.offset += length;
  }
}

/** Class and method ids of a method frame's payload, combined as `class << 16 | method`. */
export function methodId(payload: Buffer): number {
  return (payload.readUInt16BE(0) << 16) | payload.readUInt16BE(2);
}

/** Method ids (AMQP 0-9-1 class id << 16 | method id) the tap acts on. */
export const Method = {
  ConnectionClose: (10 << 16) | 50,
  ChannelClose: (20 << 16) | 40,
  ChannelCloseOk: (20 << 16) | 41,
  BasicQos: (60 << 16) | 10,
  BasicConsume: (60 << 16) | 20,
  BasicConsumeOk: (60 << 16) | 21,
  BasicCancel: (60 << 16) | 30,
  BasicDeliver: (60 << 16) | 60,
  BasicGet: (60 << 16) | 70,
  BasicGetOk: (60 << 16) | 71,
  BasicGetEmpty: (60 << 16) | 72,
  BasicAck: (60 << 16) | 80,
  BasicReject: (60 << 16) | 90,
  BasicRecoverAsync: (60 << 16) | 100,
  BasicRecover: (60 << 16) | 110,
  BasicNack: (60 << 16) | 120,
} as const;

/**
 * Reads the `message-id` property from a basic content-header frame payload:
 * class (short), weight (short), body size (longlong), property flags
 * (short), then the present properties in flag order.
 */
export function messageIdOf(payload: Buffer): string | undefined {
  const reader = new ArgumentReader(payload, 12);
  const flags = reader.short();
  // Bit 0 set means more flag words follow (unused by basic, but legal).
  if ((flags & 0x0001) !== 0) return undefined;
  if ((flags & 0x0080) === 0) return undefined;
  if (flags & 0x8000) reader.shortString(); // content-type
  if (flags & 0x4000) reader.shortString(); // content-encoding
  if (flags & 0x2000) reader.skipLongBlock(); // headers
  if (flags & 0x1000) reader.octet(); // delivery-mode
  if (flags & 0x0800) reader.octet(); // priority
  if (flags & 0x0400) reader.shortString(); // correlation-id
  if (flags & 0x0200) reader.shortString(); // reply-to
  if (flags & 0x0100) reader.shortString(); // expiration
  return reader.shortString();
}
