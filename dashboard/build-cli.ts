import { relative } from 'node:path';
import { defaultOutDir, writeDashboard } from './build.ts';

/** `npm run dashboard:build [-- <dir>]`: the static site into dashboard/dist (or the folder given). */
const outDir = process.argv[2] ?? defaultOutDir;
const started = Date.now();
const files = writeDashboard(outDir);
for (const file of files)
  console.log(
    `  ${relative(process.cwd(), `${outDir}/${file.path}`)}  ${(file.contents.length / 1024).toFixed(0)} KiB`,
  );
console.log(`dashboard built in ${Date.now() - started} ms`);
