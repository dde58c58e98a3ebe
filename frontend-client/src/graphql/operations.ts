import { graphql } from '../gql';

// Every operation of the web client, typed by graphql-codegen's client preset (src/gql/).

graphql(`
  fragment ErrorFields on Error {
    field
    message
    code
    retryAfter
  }
`);

graphql(`
  fragment ProfileFields on Profile {
    displayName
    firstName
    lastName
    shortIntro
    bio
    website
    links
  }
`);

graphql(`
  fragment SubscriptionFields on MemberSubscription {
    status
    active
    cancelAtPeriodEnd
    currentPeriodEnd
    accessUntil
    provider
    plan {
      slug
      name
      tier
      price
      currency
      interval
    }
  }
`);

graphql(`
  fragment ViewerFields on User {
    id
    email
    emailVerified
    dateJoined
    registerMethod
    profile {
      ...ProfileFields
    }
    subscription {
      ...SubscriptionFields
    }
  }
`);

graphql(`
  fragment ArticleSummaryFields on Article {
    id
    slug
    title
    summary
    publishedAt
    requiredTier
    premium
    locked
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      ...ViewerFields
    }
  }
`);

export const RefreshMutation = graphql(`
  mutation Refresh {
    refresh(transport: COOKIE) {
      accessToken
      accessTokenExpiresAt
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout(transport: COOKIE) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input, transport: COOKIE) {
      accessToken
      accessTokenExpiresAt
      user {
        ...ViewerFields
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const VerifyEmailMutation = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const ResendVerificationMutation = graphql(`
  mutation ResendVerificationEmail($email: String!) {
    resendVerificationEmail(email: $email) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const ResetPasswordMutation = graphql(`
  mutation ResetPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($oldPassword: String!, $newPassword: String!) {
    changePassword(oldPassword: $oldPassword, newPassword: $newPassword) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const StartGoogleLoginMutation = graphql(`
  mutation StartGoogleLogin($redirectUri: String!) {
    startGoogleLogin(redirectUri: $redirectUri) {
      authorizationUrl
      state
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const GoogleLoginMutation = graphql(`
  mutation GoogleLogin($code: String!, $state: String!) {
    googleLogin(input: { code: $code, state: $state }, transport: COOKIE) {
      accessToken
      accessTokenExpiresAt
      user {
        ...ViewerFields
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

// The payload's user has the viewer's id, so Apollo's normalised cache updates `me` (and the
// header) from it: no manual cache write.
export const UpdateProfileMutation = graphql(`
  mutation UpdateProfile($input: ProfileInput!) {
    updateProfile(input: $input) {
      user {
        ...ViewerFields
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const SessionsQuery = graphql(`
  query Sessions {
    sessions {
      id
      createdAt
      lastUsedAt
      userAgent
      ipAddress
      authMethod
      current
    }
  }
`);

export const RevokeSessionMutation = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const LogoutAllMutation = graphql(`
  mutation LogoutAll($keepCurrent: Boolean!) {
    logoutAll(keepCurrent: $keepCurrent) {
      ok
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const PlansQuery = graphql(`
  query Plans {
    plans {
      slug
      name
      description
      price
      currency
      tier
      interval
    }
    me {
      id
      emailVerified
      subscription {
        ...SubscriptionFields
      }
    }
  }
`);

export const SubscribeMutation = graphql(`
  mutation Subscribe($planSlug: String!) {
    subscribe(planSlug: $planSlug) {
      checkoutUrl
      subscription {
        ...SubscriptionFields
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const CancelSubscriptionMutation = graphql(`
  mutation CancelSubscription {
    cancelSubscription {
      subscription {
        ...SubscriptionFields
      }
      errors {
        ...ErrorFields
      }
    }
  }
`);

export const ArticlesQuery = graphql(`
  query Articles($first: Int!, $after: String) {
    articles(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          ...ArticleSummaryFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const ArticleQuery = graphql(`
  query Article($slug: String!) {
    article(slug: $slug) {
      ...ArticleSummaryFields
      body
    }
  }
`);
