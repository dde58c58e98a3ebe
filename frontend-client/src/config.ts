/** The GraphQL endpoint; set VITE_API_URL at build time for another server. */
export const API_URL: string =
  (import.meta.env.VITE_API_URL as string | undefined) || 'http://localhost:8000/graphql/';
