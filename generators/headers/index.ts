export { fromAmqpHeaders, withAmqpHeaders, amqpHeadersVerdict, AMQPLIB_TABLE_LIMIT_BYTES, HEADER_FRAME_RESERVE_BYTES, type AmqpHeadersOptions, type HeaderCase } from "./from-amqp-headers.ts";
export { fieldTableBytes, longestKeyBytes, MAX_KEY_BYTES } from "./field-table.ts";
