// The one logger of the tests that want no log lines.
import type { Logger } from '../../src/shared/logger';

const nothing = (): void => undefined;

/** A Logger that drops every line. */
export const silentLogger: Logger = { trace: nothing, debug: nothing, info: nothing, warn: nothing, error: nothing };
