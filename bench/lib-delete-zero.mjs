#!/usr/bin/env node
// Library use as an npm consumer writes it: open an image and delete one object with zeroing, with
// the library's defaults (no scratch or journal options). Run under /usr/bin/time by run.mjs for the
// peak-RSS figure. Usage: node bench/lib-delete-zero.mjs IMAGE ID
import { deleteObject, openImage } from '../dist/node.js';

const [path, id] = process.argv.slice(2);
const img = await openImage(path, { writable: true });
try {
  await deleteObject(img, Number(id), { zero: true });
} finally {
  await img.close();
}
