// `wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int FILE -o FILE` for every
// file named on the command line, in one process: npm's wasm-opt is binaryen compiled to
// WebAssembly, and starting it costs about 2 s a file, which for the ~300 modules of the
// split bundle (most of them a few hundred bytes) was most of the build's wasm-opt step.
// The same library (binaryen, npm, the version end2end/package-lock.json pins), the same
// default -Oz pipeline and the module's own features. Not byte for byte what the command
// writes: 0.2 % larger on the main module (which of the command's defaults differs is not
// known yet).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../end2end/package.json', import.meta.url));
const binaryen = (await import(require.resolve('binaryen'))).default;

const F = binaryen.Features;
const features = F.MutableGlobals | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt | F.ReferenceTypes | F.Multivalue | F.CallIndirectOverlong;
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
binaryen.setDebugInfo(false);

for (const file of process.argv.slice(2)) {
  const module = binaryen.readBinary(readFileSync(file));
  module.setFeatures(features);
  module.optimize();
  writeFileSync(file, module.emitBinary());
  module.dispose();
}
