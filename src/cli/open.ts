/**
 * How the CLI opens images: warnings and lock waits reported on stderr in singularity's log style.
 *
 * @module
 */
import { openImage, type OpenOptions } from '../io/open.js';
import type { SifImage } from '../image/image.js';
import type { CliIO } from './io.js';
import { log } from './log.js';

/**
 * The options every command opens an image with.
 *
 * @param io - the process
 * @param path - the image
 * @param writable - open for editing
 * @returns open options
 */
export function cliOpenOptions(io: CliIO, path: string, writable: boolean): OpenOptions {
  return {
    writable,
    onWarning: (m) => log(io, 'WARNING', m),
    onLockWait: () => log(io, 'INFO', `${path}: another process is ${writable ? 'using' : 'editing'} this image, waiting for it to finish...`),
  };
}

/**
 * Opens an image for a command.
 *
 * @param io - the process
 * @param path - the image
 * @param writable - open for editing
 * @returns the image
 */
export function openForCli(io: CliIO, path: string, writable = false): Promise<SifImage> {
  return openImage(path, cliOpenOptions(io, path, writable));
}
