// graphql-codegen's client preset over the operations in src/operations.ts, against the
// committed schema.graphql: typed documents that `tsc --strict` then checks in src/typed.ts.
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["src/operations.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      config: {
        strictScalars: true,
        scalars: { DateTime: "string" },
        enumsAsTypes: true,
        useTypeImports: true,
      },
      presetConfig: {
        fragmentMasking: false,
        // Also writes persisted-documents.json ({sha256: document}): the format the
        // server's GRAPHQL_TRUSTED_DOCUMENTS reads.
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
    },
  },
};

export default config;
