// Types of install-footprint.mjs for the TypeScript benches that print its figures.
export interface FootprintPackage {
  name: string;
  packages: number;
  bytes: number;
  beyondCore: { packages: number; bytes: number; largest: string[] };
  missing: string[];
}
export interface Footprint {
  nodeModules: { packages: number; bytes: number };
  baseline: { name: string; packages: number; bytes: number };
  core: { largest: string[] };
  packages: FootprintPackage[];
}
export function installFootprint(): Footprint;
export function printFootprint(figures: Footprint, log?: (line: string) => void): void;
export function mb(bytes: number): string;
