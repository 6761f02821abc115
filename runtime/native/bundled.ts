/**
 * Where a bundle carries the native addon. Unbundled, and in bundles that
 * load it from the installed package, this is undefined; fiberlet/rollup's
 * `emitAddon` option replaces this module in a Node bundle with the URL of
 * the addon it emitted as an asset beside the bundle (rollup-plugin/addon.ts),
 * so the bundle runs where fiberlet is not installed.
 */
export const BUNDLED_ADDON: string | undefined = undefined;
