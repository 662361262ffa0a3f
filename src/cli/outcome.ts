/**
 * A command result printed as usual but with a non-zero exit code: the
 * many-database forms (`--path-glob`, `apply-policy`) print every database's
 * result and exit 1 when any of them failed.
 */

import type { Json } from '../engine/json';

export class CommandOutcome {
  constructor(
    readonly document: Json,
    readonly exitCode: number,
  ) {}
}
