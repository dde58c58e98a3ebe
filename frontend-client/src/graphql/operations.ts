import { graphql } from '../gql';

// Every operation of the web client, typed by graphql-codegen's client preset (src/gql/).
// A selection that two operations share is a fragment, so that they cannot drift apart.
// A payload read by one operation only (`ok` and the errors) is written on one line.

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
  fragment PlanFields on Plan {
    slug
    name
    tier
    price
    currency
    interval
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
    plan { ...PlanFields }
  }
`);

graphql(`
  fragment ViewerFields on User {
    id
    email
    emailVerified
    dateJoined
    registerMethod
    profile { ...ProfileFields }
    subscription { ...SubscriptionFields }
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

graphql(`
  fragment PageInfoFields on PageInfo {
    hasNextPage
    endCursor
  }
`);

graphql(`
  fragment SecondFactorChallengeFields on SecondFactorChallenge {
    challenge
    expiresAt
    methods
    passkeyOptions
  }
`);

/** What `refresh` needs of an AuthPayload: the new access token, or why there is none. */
graphql(`
  fragment AccessTokenFields on AuthPayload {
    accessToken
    accessTokenExpiresAt
    errors { ...ErrorFields }
  }
`);

/**
 * What every sign-in reads (password, Google, second factor, passkey): the token and the
 * viewer, or the second-factor challenge (null where a sign-in cannot ask for one).
 */
graphql(`
  fragment SignInFields on AuthPayload {
    ...AccessTokenFields
    user { ...ViewerFields }
    secondFactor { ...SecondFactorChallengeFields }
  }
`);

/** logout, logoutAll and revokeSession answer the same payload. */
graphql(`
  fragment LogoutFields on LogoutPayload {
    ok
    errors { ...ErrorFields }
  }
`);

graphql(`
  fragment PasskeyFields on Passkey {
    id
    name
    createdAt
    lastUsedAt
    backedUp
  }
`);

export const MeQuery = graphql(`
  query Me {
    me { ...ViewerFields }
  }
`);

export const RefreshMutation = graphql(`
  mutation Refresh {
    refresh(transport: COOKIE) { ...AccessTokenFields }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout(transport: COOKIE) { ...LogoutFields }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input, transport: COOKIE) { ...SignInFields }
  }
`);

export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) { ok errors { ...ErrorFields } }
  }
`);

export const VerifyEmailMutation = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token) { ok errors { ...ErrorFields } }
  }
`);

/** The 6-digit code from a verification email sent with `method: CODE`. */
export const VerifyEmailWithCodeMutation = graphql(`
  mutation VerifyEmailWithCode($email: String!, $code: String!) {
    verifyEmailWithCode(email: $email, code: $code) { ok errors { ...ErrorFields } }
  }
`);

export const ResendVerificationMutation = graphql(`
  mutation ResendVerificationEmail($email: String!, $method: VerificationMethod) {
    resendVerificationEmail(email: $email, method: $method) { ok errors { ...ErrorFields } }
  }
`);

export const RequestPasswordResetMutation = graphql(`
  mutation RequestPasswordReset($email: String!, $method: VerificationMethod) {
    requestPasswordReset(email: $email, method: $method) { ok errors { ...ErrorFields } }
  }
`);

export const ResetPasswordMutation = graphql(`
  mutation ResetPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword) { ok errors { ...ErrorFields } }
  }
`);

/** The 6-digit code from a reset email sent with `method: CODE`, and the new password. */
export const ResetPasswordWithCodeMutation = graphql(`
  mutation ResetPasswordWithCode($email: String!, $code: String!, $newPassword: String!) {
    resetPasswordWithCode(email: $email, code: $code, newPassword: $newPassword) { ok errors { ...ErrorFields } }
  }
`);

export const ChangePasswordMutation = graphql(`
  mutation ChangePassword($oldPassword: String!, $newPassword: String!) {
    changePassword(oldPassword: $oldPassword, newPassword: $newPassword) { ok errors { ...ErrorFields } }
  }
`);

export const StartGoogleLoginMutation = graphql(`
  mutation StartGoogleLogin($redirectUri: String!) {
    startGoogleLogin(redirectUri: $redirectUri) {
      authorizationUrl
      state
      errors { ...ErrorFields }
    }
  }
`);

export const GoogleLoginMutation = graphql(`
  mutation GoogleLogin($code: String!, $state: String!) {
    googleLogin(input: { code: $code, state: $state }, transport: COOKIE) { ...SignInFields }
  }
`);

// The payload's user has the viewer's id, so Apollo's normalised cache updates `me` (and the
// header) from it: no manual cache write.
export const UpdateProfileMutation = graphql(`
  mutation UpdateProfile($input: ProfileInput!) {
    updateProfile(input: $input) {
      user { ...ViewerFields }
      errors { ...ErrorFields }
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
    revokeSession(id: $id) { ...LogoutFields }
  }
`);

export const LogoutAllMutation = graphql(`
  mutation LogoutAll($keepCurrent: Boolean!) {
    logoutAll(keepCurrent: $keepCurrent) { ...LogoutFields }
  }
`);

export const PlansQuery = graphql(`
  query Plans {
    plans {
      ...PlanFields
      description
    }
    me {
      id
      emailVerified
      subscription { ...SubscriptionFields }
    }
  }
`);

export const SubscribeMutation = graphql(`
  mutation Subscribe($planSlug: String!) {
    subscribe(planSlug: $planSlug) {
      checkoutUrl
      subscription { ...SubscriptionFields }
      errors { ...ErrorFields }
    }
  }
`);

export const CancelSubscriptionMutation = graphql(`
  mutation CancelSubscription {
    cancelSubscription {
      subscription { ...SubscriptionFields }
      errors { ...ErrorFields }
    }
  }
`);

export const ArticlesQuery = graphql(`
  query Articles($first: Int!, $after: String) {
    articles(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node { ...ArticleSummaryFields }
      }
      pageInfo { ...PageInfoFields }
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

// Two-step sign-in: the second factor answers the challenge of login/googleLogin, with the
// same transport (COOKIE), and starts the session.
export const VerifySecondFactorMutation = graphql(`
  mutation VerifySecondFactor($input: VerifySecondFactorInput!) {
    verifySecondFactor(input: $input, transport: COOKIE) { ...SignInFields }
  }
`);

export const StartPasskeyLoginMutation = graphql(`
  mutation StartPasskeyLogin {
    startPasskeyLogin { options errors { ...ErrorFields } }
  }
`);

export const PasskeyLoginMutation = graphql(`
  mutation PasskeyLogin($credential: String!) {
    passkeyLogin(credential: $credential, transport: COOKIE) { ...SignInFields }
  }
`);

export const ReauthenticateMutation = graphql(`
  mutation Reauthenticate($input: ReauthenticateInput!) {
    reauthenticate(input: $input) { ok errors { ...ErrorFields } }
  }
`);

export const SecondFactorsQuery = graphql(`
  query SecondFactors {
    secondFactors {
      totpEnabled
      recoveryCodesRemaining
      passkeyCount
    }
  }
`);

export const StartTotpEnrollmentMutation = graphql(`
  mutation StartTotpEnrollment {
    startTotpEnrollment {
      secret
      otpauthUri
      errors { ...ErrorFields }
    }
  }
`);

export const ConfirmTotpEnrollmentMutation = graphql(`
  mutation ConfirmTotpEnrollment($code: String!, $proof: ReauthenticateInput) {
    confirmTotpEnrollment(code: $code, proof: $proof) { recoveryCodes errors { ...ErrorFields } }
  }
`);

export const SecureAccountMutation = graphql(`
  mutation SecureAccount($token: String!) {
    secureAccount(token: $token) { ok errors { ...ErrorFields } }
  }
`);

export const DisableTotpMutation = graphql(`
  mutation DisableTotp($password: String, $code: String, $recoveryCode: String) {
    disableTotp(password: $password, code: $code, recoveryCode: $recoveryCode) { ok errors { ...ErrorFields } }
  }
`);

export const RegenerateRecoveryCodesMutation = graphql(`
  mutation RegenerateRecoveryCodes {
    regenerateRecoveryCodes { recoveryCodes errors { ...ErrorFields } }
  }
`);

export const PasskeysQuery = graphql(`
  query Passkeys {
    passkeys { ...PasskeyFields }
  }
`);

export const StartPasskeyRegistrationMutation = graphql(`
  mutation StartPasskeyRegistration {
    startPasskeyRegistration { options errors { ...ErrorFields } }
  }
`);

export const FinishPasskeyRegistrationMutation = graphql(`
  mutation FinishPasskeyRegistration($credential: String!, $name: String) {
    finishPasskeyRegistration(credential: $credential, name: $name) {
      passkey { ...PasskeyFields }
      errors { ...ErrorFields }
    }
  }
`);

export const RemovePasskeyMutation = graphql(`
  mutation RemovePasskey($id: ID!) {
    removePasskey(id: $id) { ok errors { ...ErrorFields } }
  }
`);

export const SecurityEventsQuery = graphql(`
  query SecurityEvents($first: Int!, $after: String) {
    securityEvents(first: $first, after: $after) {
      totalCount
      edges {
        cursor
        node {
          id
          kind
          occurredAt
          method
          ipAddress
          userAgent
          device
        }
      }
      pageInfo { ...PageInfoFields }
    }
  }
`);
