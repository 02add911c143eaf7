import type { Diagnostics } from '../report/diagnostics.js';
import { EXIT_FAILURE, EXIT_OK } from './io.js';
import type { PipelineRun } from './run-pipeline.js';

/**
 * Exit code and message for how a stream ended, before findings are considered:
 * a closed output ends quietly (like `head` closing the pipe), everything else that lost or
 * withheld data is a runtime failure.
 */
export function exitForOutcome(run: PipelineRun, outputName: string, diag: Diagnostics): number | undefined {
  const { outcome, stats } = run;
  switch (outcome.kind) {
    case 'output-closed':
      return EXIT_OK;
    case 'output-failed':
      diag.error(`cannot write ${outputName} (${outcome.code})`);
      return EXIT_FAILURE;
    case 'aborted':
      diag.error(`stopped before the end of input: ${outcome.unwrittenBytes} bytes read were not written`);
      return EXIT_FAILURE;
    case 'input-failed':
      diag.error(`cannot read ${outcome.source} (${outcome.code}); what was read before was written`);
      return EXIT_FAILURE;
    case 'complete':
      if (stats.failedTasks > 0) {
        diag.error(`${stats.failedTasks} scrub tasks failed; their records were withheld (see above)`);
        return EXIT_FAILURE;
      }
      return undefined;
  }
}
