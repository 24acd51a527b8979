// A module with no default export: `tsmicroservice serve` refuses it.
export const answer = 42;
