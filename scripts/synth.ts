import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../local/paths.ts';

/**
 * `npm run synth`: `cdk synth --quiet` (cdk.out/, no template on the terminal) without the per-function
 * bundling report esbuild prints (four lines for each of ~20 functions). Warnings, cdk-nag findings and
 * errors still show; a failed synth shows everything. `npm run synth -- --verbose`: plain `cdk synth`,
 * bundling report and YAML template included. Other arguments go to cdk (`-c stackName=…`).
 */
const args = process.argv.slice(2);
const verbose = args.includes('--verbose');
const cdkArgs = ['synth', ...(verbose ? [] : ['--quiet']), ...args.filter((a) => a !== '--verbose')];
const cdk = join(repoRoot, 'node_modules', '.bin', 'cdk');
const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' };

/** esbuild's bundling report for one function, and the asset line cdk prints before it. */
const bundlingNoise = [
  /^Bundling asset \S+\.\.\.$/,
  /^\s+\S*-building\/index\.m?js(\.map)?\s+[\d.]+\s?[kKmMgG]?b( ⚠️)?$/,
  /^⚡ Done in \d+ms$/,
  /^\s*$/,
];

if (verbose) {
  const child = spawn(cdk, cdkArgs, { cwd: repoRoot, env, stdio: 'inherit' });
  child.once('exit', (code) => process.exit(code ?? 1));
} else {
  const child = spawn(cdk, cdkArgs, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const all: string[] = [];
  let bundled = 0;
  const filter = (stream: NodeJS.WriteStream) => {
    let pending = '';
    return (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        all.push(line);
        if (line.startsWith('Bundling asset ')) bundled++;
        if (!bundlingNoise.some((noise) => noise.test(line))) stream.write(`${line}\n`);
      }
    };
  };
  child.stdout.on('data', filter(process.stdout));
  child.stderr.on('data', filter(process.stderr));
  child.once('exit', (code) => {
    if (code !== 0) {
      // The report may hold the reason (an esbuild error sits among its lines): show it whole.
      process.stderr.write(`\n${all.join('\n')}\n`);
      process.exit(code ?? 1);
    }
    console.log(
      `cdk.out/ written (${bundled} assets bundled); npm run synth -- --verbose shows the template.`,
    );
  });
}
