// Types for seedrandom's Alea (lib/alea.js, the subset used here: the generator with its state).
declare function alea(seed: string, options: { state: true }): (() => number) & {
  state(): { c: number; s0: number; s1: number; s2: number };
};
export default alea;
