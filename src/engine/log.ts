/**
 * The engine's only logging hook. Front ends decide where lines go (the CLI:
 * stderr with --verbose; the extension: the "SlateDB" output channel).
 * Callers must never pass a secret in a message.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type EngineLog = (level: LogLevel, message: string) => void;

export const silentLog: EngineLog = () => {};
