import type { CodegenConfig } from '@graphql-codegen/cli';

// Operations are typed from the server's schema file, the one source of truth shared with
// the mobile apps. Run `npm run codegen` after changing an operation or the schema;
// `npm run codegen:check` (in bin/test) fails when src/gql/ is stale.
const config: CodegenConfig = {
  schema: '../schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { DateTime: 'string' },
        skipTypename: false,
      },
    },
  },
};

export default config;
