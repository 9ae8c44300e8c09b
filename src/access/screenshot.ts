// `vnc screenshot`'s picture: the framebuffer as PNG (pngjs, a plain JavaScript encoder), and where
// it goes.
import type { Framebuffer } from './rfb.js';

/** RGB without alpha: the display has none. pngjs loads on use, so it stays out of every other command's start. */
export async function encodePng(fb: Framebuffer): Promise<Buffer> {
  const { PNG } = (await import('pngjs')).default;
  return PNG.sync.write({ width: fb.width, height: fb.height, data: fb.rgba } as unknown as InstanceType<typeof PNG>, { colorType: 2 });
}

/** Where -o sends the picture: '-' is stdout; the default is NAME.png in the current directory. Pure. */
export function screenshotPath(output: string | undefined, vm: string): string {
  return output === undefined || output === '' ? `${vm}.png` : output;
}
