/**
 * Commits a prepared staging directory and kills its own process with SIGKILL right after the
 * step named in COMMIT_KILL_AFTER: what a `kill -9` of a synth at that moment leaves behind. The
 * prepared directory is first renamed to this process's own staging name, as a synth names it.
 */
import { renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { commitOutput, outputDir, type CommitOptions } from "../../cli/output";

const vars = process.env;
const out = vars.COMMIT_OUT ?? "";
const staging = join(dirname(out), `.cdktf.out.tmp-${process.pid}-0c0ffee0`);
renameSync(vars.COMMIT_STAGING ?? "", staging);
const opts = JSON.parse(vars.COMMIT_OPTS ?? "{}") as Omit<CommitOptions, "onStep">;
commitOutput(staging, outputDir({ CDKTF_OUTDIR: out }), {
  ...opts,
  onStep: (step) => {
    if (step === vars.COMMIT_KILL_AFTER) process.kill(process.pid, "SIGKILL");
  },
});
