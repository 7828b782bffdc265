// Shared by every jest config: TypeScript (and the few ES-module-only packages we use, such as
// file-type, and otplib's @noble and @scure) compiled to CommonJS, without type-checking (`npm run build` and lint do that).
const esmPackages = [
  'file-type',
  'strtok3',
  'token-types',
  '@tokenizer',
  'uint8array-extras',
  '@borewit',
  'peek-readable',
  '@scure',
  '@noble',
];

module.exports = {
  esmPackages,
  transform: {
    '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: false }],
  },
};
