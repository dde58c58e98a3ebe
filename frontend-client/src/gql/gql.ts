/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment ErrorFields on Error {\n    field\n    message\n    code\n    retryAfter\n  }\n": typeof types.ErrorFieldsFragmentDoc,
    "\n  fragment ProfileFields on Profile {\n    displayName\n    firstName\n    lastName\n    shortIntro\n    bio\n    website\n    links\n  }\n": typeof types.ProfileFieldsFragmentDoc,
    "\n  fragment PlanFields on Plan {\n    slug\n    name\n    tier\n    price\n    currency\n    interval\n  }\n": typeof types.PlanFieldsFragmentDoc,
    "\n  fragment SubscriptionFields on MemberSubscription {\n    status\n    active\n    cancelAtPeriodEnd\n    currentPeriodEnd\n    accessUntil\n    provider\n    plan { ...PlanFields }\n  }\n": typeof types.SubscriptionFieldsFragmentDoc,
    "\n  fragment ViewerFields on User {\n    id\n    email\n    emailVerified\n    dateJoined\n    registerMethod\n    profile { ...ProfileFields }\n    subscription { ...SubscriptionFields }\n  }\n": typeof types.ViewerFieldsFragmentDoc,
    "\n  fragment ArticleSummaryFields on Article {\n    id\n    slug\n    title\n    summary\n    publishedAt\n    requiredTier\n    premium\n    locked\n  }\n": typeof types.ArticleSummaryFieldsFragmentDoc,
    "\n  fragment PageInfoFields on PageInfo {\n    hasNextPage\n    endCursor\n  }\n": typeof types.PageInfoFieldsFragmentDoc,
    "\n  fragment SecondFactorChallengeFields on SecondFactorChallenge {\n    challenge\n    expiresAt\n    methods\n    passkeyOptions\n  }\n": typeof types.SecondFactorChallengeFieldsFragmentDoc,
    "\n  fragment AccessTokenFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    errors { ...ErrorFields }\n  }\n": typeof types.AccessTokenFieldsFragmentDoc,
    "\n  fragment SignInFields on AuthPayload {\n    ...AccessTokenFields\n    user { ...ViewerFields }\n    secondFactor { ...SecondFactorChallengeFields }\n  }\n": typeof types.SignInFieldsFragmentDoc,
    "\n  fragment LogoutFields on LogoutPayload {\n    ok\n    errors { ...ErrorFields }\n  }\n": typeof types.LogoutFieldsFragmentDoc,
    "\n  fragment PasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n    backedUp\n  }\n": typeof types.PasskeyFieldsFragmentDoc,
    "\n  query Me {\n    me { ...ViewerFields }\n  }\n": typeof types.MeDocument,
    "\n  mutation Refresh {\n    refresh(transport: COOKIE) { ...AccessTokenFields }\n  }\n": typeof types.RefreshDocument,
    "\n  mutation Logout {\n    logout(transport: COOKIE) { ...LogoutFields }\n  }\n": typeof types.LogoutDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input, transport: COOKIE) { ...SignInFields }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) { ok errors { ...ErrorFields } }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) { ok errors { ...ErrorFields } }\n  }\n": typeof types.VerifyEmailDocument,
    "\n  mutation VerifyEmailWithCode($email: String!, $code: String!) {\n    verifyEmailWithCode(email: $email, code: $code) { ok errors { ...ErrorFields } }\n  }\n": typeof types.VerifyEmailWithCodeDocument,
    "\n  mutation ResendVerificationEmail($email: String!, $method: VerificationMethod) {\n    resendVerificationEmail(email: $email, method: $method) { ok errors { ...ErrorFields } }\n  }\n": typeof types.ResendVerificationEmailDocument,
    "\n  mutation RequestPasswordReset($email: String!, $method: VerificationMethod) {\n    requestPasswordReset(email: $email, method: $method) { ok errors { ...ErrorFields } }\n  }\n": typeof types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n": typeof types.ResetPasswordDocument,
    "\n  mutation ResetPasswordWithCode($email: String!, $code: String!, $newPassword: String!) {\n    resetPasswordWithCode(email: $email, code: $code, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n": typeof types.ResetPasswordWithCodeDocument,
    "\n  mutation ChangePassword($oldPassword: String!, $newPassword: String!) {\n    changePassword(oldPassword: $oldPassword, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n": typeof types.ChangePasswordDocument,
    "\n  mutation StartGoogleLogin($redirectUri: String!) {\n    startGoogleLogin(redirectUri: $redirectUri) {\n      authorizationUrl\n      state\n      errors { ...ErrorFields }\n    }\n  }\n": typeof types.StartGoogleLoginDocument,
    "\n  mutation GoogleLogin($code: String!, $state: String!) {\n    googleLogin(input: { code: $code, state: $state }, transport: COOKIE) { ...SignInFields }\n  }\n": typeof types.GoogleLoginDocument,
    "\n  mutation UpdateProfile($input: ProfileInput!) {\n    updateProfile(input: $input) {\n      user { ...ViewerFields }\n      errors { ...ErrorFields }\n    }\n  }\n": typeof types.UpdateProfileDocument,
    "\n  query Sessions {\n    sessions {\n      id\n      createdAt\n      lastUsedAt\n      userAgent\n      ipAddress\n      authMethod\n      current\n    }\n  }\n": typeof types.SessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) { ...LogoutFields }\n  }\n": typeof types.RevokeSessionDocument,
    "\n  mutation LogoutAll($keepCurrent: Boolean!) {\n    logoutAll(keepCurrent: $keepCurrent) { ...LogoutFields }\n  }\n": typeof types.LogoutAllDocument,
    "\n  query Plans {\n    plans {\n      ...PlanFields\n      description\n    }\n    me {\n      id\n      emailVerified\n      subscription { ...SubscriptionFields }\n    }\n  }\n": typeof types.PlansDocument,
    "\n  mutation Subscribe($planSlug: String!) {\n    subscribe(planSlug: $planSlug) {\n      checkoutUrl\n      subscription { ...SubscriptionFields }\n      errors { ...ErrorFields }\n    }\n  }\n": typeof types.SubscribeDocument,
    "\n  mutation CancelSubscription {\n    cancelSubscription {\n      subscription { ...SubscriptionFields }\n      errors { ...ErrorFields }\n    }\n  }\n": typeof types.CancelSubscriptionDocument,
    "\n  query Articles($first: Int!, $after: String) {\n    articles(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node { ...ArticleSummaryFields }\n      }\n      pageInfo { ...PageInfoFields }\n    }\n  }\n": typeof types.ArticlesDocument,
    "\n  query Article($slug: String!) {\n    article(slug: $slug) {\n      ...ArticleSummaryFields\n      body\n    }\n  }\n": typeof types.ArticleDocument,
    "\n  mutation VerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input, transport: COOKIE) { ...SignInFields }\n  }\n": typeof types.VerifySecondFactorDocument,
    "\n  mutation StartPasskeyLogin {\n    startPasskeyLogin { options errors { ...ErrorFields } }\n  }\n": typeof types.StartPasskeyLoginDocument,
    "\n  mutation PasskeyLogin($credential: String!) {\n    passkeyLogin(credential: $credential, transport: COOKIE) { ...SignInFields }\n  }\n": typeof types.PasskeyLoginDocument,
    "\n  mutation Reauthenticate($input: ReauthenticateInput!) {\n    reauthenticate(input: $input) { ok errors { ...ErrorFields } }\n  }\n": typeof types.ReauthenticateDocument,
    "\n  query SecondFactors {\n    secondFactors {\n      totpEnabled\n      recoveryCodesRemaining\n      passkeyCount\n    }\n  }\n": typeof types.SecondFactorsDocument,
    "\n  mutation StartTotpEnrollment {\n    startTotpEnrollment {\n      secret\n      otpauthUri\n      errors { ...ErrorFields }\n    }\n  }\n": typeof types.StartTotpEnrollmentDocument,
    "\n  mutation ConfirmTotpEnrollment($code: String!, $proof: ReauthenticateInput) {\n    confirmTotpEnrollment(code: $code, proof: $proof) { recoveryCodes errors { ...ErrorFields } }\n  }\n": typeof types.ConfirmTotpEnrollmentDocument,
    "\n  mutation SecureAccount($token: String!) {\n    secureAccount(token: $token) { ok errors { ...ErrorFields } }\n  }\n": typeof types.SecureAccountDocument,
    "\n  mutation DisableTotp($password: String, $code: String, $recoveryCode: String) {\n    disableTotp(password: $password, code: $code, recoveryCode: $recoveryCode) { ok errors { ...ErrorFields } }\n  }\n": typeof types.DisableTotpDocument,
    "\n  mutation RegenerateRecoveryCodes {\n    regenerateRecoveryCodes { recoveryCodes errors { ...ErrorFields } }\n  }\n": typeof types.RegenerateRecoveryCodesDocument,
    "\n  query Passkeys {\n    passkeys { ...PasskeyFields }\n  }\n": typeof types.PasskeysDocument,
    "\n  mutation StartPasskeyRegistration {\n    startPasskeyRegistration { options errors { ...ErrorFields } }\n  }\n": typeof types.StartPasskeyRegistrationDocument,
    "\n  mutation FinishPasskeyRegistration($credential: String!, $name: String) {\n    finishPasskeyRegistration(credential: $credential, name: $name) {\n      passkey { ...PasskeyFields }\n      errors { ...ErrorFields }\n    }\n  }\n": typeof types.FinishPasskeyRegistrationDocument,
    "\n  mutation RemovePasskey($id: ID!) {\n    removePasskey(id: $id) { ok errors { ...ErrorFields } }\n  }\n": typeof types.RemovePasskeyDocument,
    "\n  query SecurityEvents($first: Int!, $after: String) {\n    securityEvents(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          kind\n          occurredAt\n          method\n          ipAddress\n          userAgent\n          device\n        }\n      }\n      pageInfo { ...PageInfoFields }\n    }\n  }\n": typeof types.SecurityEventsDocument,
};
const documents: Documents = {
    "\n  fragment ErrorFields on Error {\n    field\n    message\n    code\n    retryAfter\n  }\n": types.ErrorFieldsFragmentDoc,
    "\n  fragment ProfileFields on Profile {\n    displayName\n    firstName\n    lastName\n    shortIntro\n    bio\n    website\n    links\n  }\n": types.ProfileFieldsFragmentDoc,
    "\n  fragment PlanFields on Plan {\n    slug\n    name\n    tier\n    price\n    currency\n    interval\n  }\n": types.PlanFieldsFragmentDoc,
    "\n  fragment SubscriptionFields on MemberSubscription {\n    status\n    active\n    cancelAtPeriodEnd\n    currentPeriodEnd\n    accessUntil\n    provider\n    plan { ...PlanFields }\n  }\n": types.SubscriptionFieldsFragmentDoc,
    "\n  fragment ViewerFields on User {\n    id\n    email\n    emailVerified\n    dateJoined\n    registerMethod\n    profile { ...ProfileFields }\n    subscription { ...SubscriptionFields }\n  }\n": types.ViewerFieldsFragmentDoc,
    "\n  fragment ArticleSummaryFields on Article {\n    id\n    slug\n    title\n    summary\n    publishedAt\n    requiredTier\n    premium\n    locked\n  }\n": types.ArticleSummaryFieldsFragmentDoc,
    "\n  fragment PageInfoFields on PageInfo {\n    hasNextPage\n    endCursor\n  }\n": types.PageInfoFieldsFragmentDoc,
    "\n  fragment SecondFactorChallengeFields on SecondFactorChallenge {\n    challenge\n    expiresAt\n    methods\n    passkeyOptions\n  }\n": types.SecondFactorChallengeFieldsFragmentDoc,
    "\n  fragment AccessTokenFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    errors { ...ErrorFields }\n  }\n": types.AccessTokenFieldsFragmentDoc,
    "\n  fragment SignInFields on AuthPayload {\n    ...AccessTokenFields\n    user { ...ViewerFields }\n    secondFactor { ...SecondFactorChallengeFields }\n  }\n": types.SignInFieldsFragmentDoc,
    "\n  fragment LogoutFields on LogoutPayload {\n    ok\n    errors { ...ErrorFields }\n  }\n": types.LogoutFieldsFragmentDoc,
    "\n  fragment PasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n    backedUp\n  }\n": types.PasskeyFieldsFragmentDoc,
    "\n  query Me {\n    me { ...ViewerFields }\n  }\n": types.MeDocument,
    "\n  mutation Refresh {\n    refresh(transport: COOKIE) { ...AccessTokenFields }\n  }\n": types.RefreshDocument,
    "\n  mutation Logout {\n    logout(transport: COOKIE) { ...LogoutFields }\n  }\n": types.LogoutDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input, transport: COOKIE) { ...SignInFields }\n  }\n": types.LoginDocument,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) { ok errors { ...ErrorFields } }\n  }\n": types.RegisterDocument,
    "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) { ok errors { ...ErrorFields } }\n  }\n": types.VerifyEmailDocument,
    "\n  mutation VerifyEmailWithCode($email: String!, $code: String!) {\n    verifyEmailWithCode(email: $email, code: $code) { ok errors { ...ErrorFields } }\n  }\n": types.VerifyEmailWithCodeDocument,
    "\n  mutation ResendVerificationEmail($email: String!, $method: VerificationMethod) {\n    resendVerificationEmail(email: $email, method: $method) { ok errors { ...ErrorFields } }\n  }\n": types.ResendVerificationEmailDocument,
    "\n  mutation RequestPasswordReset($email: String!, $method: VerificationMethod) {\n    requestPasswordReset(email: $email, method: $method) { ok errors { ...ErrorFields } }\n  }\n": types.RequestPasswordResetDocument,
    "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n": types.ResetPasswordDocument,
    "\n  mutation ResetPasswordWithCode($email: String!, $code: String!, $newPassword: String!) {\n    resetPasswordWithCode(email: $email, code: $code, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n": types.ResetPasswordWithCodeDocument,
    "\n  mutation ChangePassword($oldPassword: String!, $newPassword: String!) {\n    changePassword(oldPassword: $oldPassword, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n": types.ChangePasswordDocument,
    "\n  mutation StartGoogleLogin($redirectUri: String!) {\n    startGoogleLogin(redirectUri: $redirectUri) {\n      authorizationUrl\n      state\n      errors { ...ErrorFields }\n    }\n  }\n": types.StartGoogleLoginDocument,
    "\n  mutation GoogleLogin($code: String!, $state: String!) {\n    googleLogin(input: { code: $code, state: $state }, transport: COOKIE) { ...SignInFields }\n  }\n": types.GoogleLoginDocument,
    "\n  mutation UpdateProfile($input: ProfileInput!) {\n    updateProfile(input: $input) {\n      user { ...ViewerFields }\n      errors { ...ErrorFields }\n    }\n  }\n": types.UpdateProfileDocument,
    "\n  query Sessions {\n    sessions {\n      id\n      createdAt\n      lastUsedAt\n      userAgent\n      ipAddress\n      authMethod\n      current\n    }\n  }\n": types.SessionsDocument,
    "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) { ...LogoutFields }\n  }\n": types.RevokeSessionDocument,
    "\n  mutation LogoutAll($keepCurrent: Boolean!) {\n    logoutAll(keepCurrent: $keepCurrent) { ...LogoutFields }\n  }\n": types.LogoutAllDocument,
    "\n  query Plans {\n    plans {\n      ...PlanFields\n      description\n    }\n    me {\n      id\n      emailVerified\n      subscription { ...SubscriptionFields }\n    }\n  }\n": types.PlansDocument,
    "\n  mutation Subscribe($planSlug: String!) {\n    subscribe(planSlug: $planSlug) {\n      checkoutUrl\n      subscription { ...SubscriptionFields }\n      errors { ...ErrorFields }\n    }\n  }\n": types.SubscribeDocument,
    "\n  mutation CancelSubscription {\n    cancelSubscription {\n      subscription { ...SubscriptionFields }\n      errors { ...ErrorFields }\n    }\n  }\n": types.CancelSubscriptionDocument,
    "\n  query Articles($first: Int!, $after: String) {\n    articles(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node { ...ArticleSummaryFields }\n      }\n      pageInfo { ...PageInfoFields }\n    }\n  }\n": types.ArticlesDocument,
    "\n  query Article($slug: String!) {\n    article(slug: $slug) {\n      ...ArticleSummaryFields\n      body\n    }\n  }\n": types.ArticleDocument,
    "\n  mutation VerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input, transport: COOKIE) { ...SignInFields }\n  }\n": types.VerifySecondFactorDocument,
    "\n  mutation StartPasskeyLogin {\n    startPasskeyLogin { options errors { ...ErrorFields } }\n  }\n": types.StartPasskeyLoginDocument,
    "\n  mutation PasskeyLogin($credential: String!) {\n    passkeyLogin(credential: $credential, transport: COOKIE) { ...SignInFields }\n  }\n": types.PasskeyLoginDocument,
    "\n  mutation Reauthenticate($input: ReauthenticateInput!) {\n    reauthenticate(input: $input) { ok errors { ...ErrorFields } }\n  }\n": types.ReauthenticateDocument,
    "\n  query SecondFactors {\n    secondFactors {\n      totpEnabled\n      recoveryCodesRemaining\n      passkeyCount\n    }\n  }\n": types.SecondFactorsDocument,
    "\n  mutation StartTotpEnrollment {\n    startTotpEnrollment {\n      secret\n      otpauthUri\n      errors { ...ErrorFields }\n    }\n  }\n": types.StartTotpEnrollmentDocument,
    "\n  mutation ConfirmTotpEnrollment($code: String!, $proof: ReauthenticateInput) {\n    confirmTotpEnrollment(code: $code, proof: $proof) { recoveryCodes errors { ...ErrorFields } }\n  }\n": types.ConfirmTotpEnrollmentDocument,
    "\n  mutation SecureAccount($token: String!) {\n    secureAccount(token: $token) { ok errors { ...ErrorFields } }\n  }\n": types.SecureAccountDocument,
    "\n  mutation DisableTotp($password: String, $code: String, $recoveryCode: String) {\n    disableTotp(password: $password, code: $code, recoveryCode: $recoveryCode) { ok errors { ...ErrorFields } }\n  }\n": types.DisableTotpDocument,
    "\n  mutation RegenerateRecoveryCodes {\n    regenerateRecoveryCodes { recoveryCodes errors { ...ErrorFields } }\n  }\n": types.RegenerateRecoveryCodesDocument,
    "\n  query Passkeys {\n    passkeys { ...PasskeyFields }\n  }\n": types.PasskeysDocument,
    "\n  mutation StartPasskeyRegistration {\n    startPasskeyRegistration { options errors { ...ErrorFields } }\n  }\n": types.StartPasskeyRegistrationDocument,
    "\n  mutation FinishPasskeyRegistration($credential: String!, $name: String) {\n    finishPasskeyRegistration(credential: $credential, name: $name) {\n      passkey { ...PasskeyFields }\n      errors { ...ErrorFields }\n    }\n  }\n": types.FinishPasskeyRegistrationDocument,
    "\n  mutation RemovePasskey($id: ID!) {\n    removePasskey(id: $id) { ok errors { ...ErrorFields } }\n  }\n": types.RemovePasskeyDocument,
    "\n  query SecurityEvents($first: Int!, $after: String) {\n    securityEvents(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          kind\n          occurredAt\n          method\n          ipAddress\n          userAgent\n          device\n        }\n      }\n      pageInfo { ...PageInfoFields }\n    }\n  }\n": types.SecurityEventsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ErrorFields on Error {\n    field\n    message\n    code\n    retryAfter\n  }\n"): (typeof documents)["\n  fragment ErrorFields on Error {\n    field\n    message\n    code\n    retryAfter\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProfileFields on Profile {\n    displayName\n    firstName\n    lastName\n    shortIntro\n    bio\n    website\n    links\n  }\n"): (typeof documents)["\n  fragment ProfileFields on Profile {\n    displayName\n    firstName\n    lastName\n    shortIntro\n    bio\n    website\n    links\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PlanFields on Plan {\n    slug\n    name\n    tier\n    price\n    currency\n    interval\n  }\n"): (typeof documents)["\n  fragment PlanFields on Plan {\n    slug\n    name\n    tier\n    price\n    currency\n    interval\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SubscriptionFields on MemberSubscription {\n    status\n    active\n    cancelAtPeriodEnd\n    currentPeriodEnd\n    accessUntil\n    provider\n    plan { ...PlanFields }\n  }\n"): (typeof documents)["\n  fragment SubscriptionFields on MemberSubscription {\n    status\n    active\n    cancelAtPeriodEnd\n    currentPeriodEnd\n    accessUntil\n    provider\n    plan { ...PlanFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ViewerFields on User {\n    id\n    email\n    emailVerified\n    dateJoined\n    registerMethod\n    profile { ...ProfileFields }\n    subscription { ...SubscriptionFields }\n  }\n"): (typeof documents)["\n  fragment ViewerFields on User {\n    id\n    email\n    emailVerified\n    dateJoined\n    registerMethod\n    profile { ...ProfileFields }\n    subscription { ...SubscriptionFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ArticleSummaryFields on Article {\n    id\n    slug\n    title\n    summary\n    publishedAt\n    requiredTier\n    premium\n    locked\n  }\n"): (typeof documents)["\n  fragment ArticleSummaryFields on Article {\n    id\n    slug\n    title\n    summary\n    publishedAt\n    requiredTier\n    premium\n    locked\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PageInfoFields on PageInfo {\n    hasNextPage\n    endCursor\n  }\n"): (typeof documents)["\n  fragment PageInfoFields on PageInfo {\n    hasNextPage\n    endCursor\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SecondFactorChallengeFields on SecondFactorChallenge {\n    challenge\n    expiresAt\n    methods\n    passkeyOptions\n  }\n"): (typeof documents)["\n  fragment SecondFactorChallengeFields on SecondFactorChallenge {\n    challenge\n    expiresAt\n    methods\n    passkeyOptions\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AccessTokenFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    errors { ...ErrorFields }\n  }\n"): (typeof documents)["\n  fragment AccessTokenFields on AuthPayload {\n    accessToken\n    accessTokenExpiresAt\n    errors { ...ErrorFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SignInFields on AuthPayload {\n    ...AccessTokenFields\n    user { ...ViewerFields }\n    secondFactor { ...SecondFactorChallengeFields }\n  }\n"): (typeof documents)["\n  fragment SignInFields on AuthPayload {\n    ...AccessTokenFields\n    user { ...ViewerFields }\n    secondFactor { ...SecondFactorChallengeFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment LogoutFields on LogoutPayload {\n    ok\n    errors { ...ErrorFields }\n  }\n"): (typeof documents)["\n  fragment LogoutFields on LogoutPayload {\n    ok\n    errors { ...ErrorFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n    backedUp\n  }\n"): (typeof documents)["\n  fragment PasskeyFields on Passkey {\n    id\n    name\n    createdAt\n    lastUsedAt\n    backedUp\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me { ...ViewerFields }\n  }\n"): (typeof documents)["\n  query Me {\n    me { ...ViewerFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Refresh {\n    refresh(transport: COOKIE) { ...AccessTokenFields }\n  }\n"): (typeof documents)["\n  mutation Refresh {\n    refresh(transport: COOKIE) { ...AccessTokenFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout(transport: COOKIE) { ...LogoutFields }\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout(transport: COOKIE) { ...LogoutFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input, transport: COOKIE) { ...SignInFields }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input, transport: COOKIE) { ...SignInFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation VerifyEmail($token: String!) {\n    verifyEmail(token: $token) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyEmailWithCode($email: String!, $code: String!) {\n    verifyEmailWithCode(email: $email, code: $code) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation VerifyEmailWithCode($email: String!, $code: String!) {\n    verifyEmailWithCode(email: $email, code: $code) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResendVerificationEmail($email: String!, $method: VerificationMethod) {\n    resendVerificationEmail(email: $email, method: $method) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation ResendVerificationEmail($email: String!, $method: VerificationMethod) {\n    resendVerificationEmail(email: $email, method: $method) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RequestPasswordReset($email: String!, $method: VerificationMethod) {\n    requestPasswordReset(email: $email, method: $method) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation RequestPasswordReset($email: String!, $method: VerificationMethod) {\n    requestPasswordReset(email: $email, method: $method) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation ResetPassword($token: String!, $newPassword: String!) {\n    resetPassword(token: $token, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ResetPasswordWithCode($email: String!, $code: String!, $newPassword: String!) {\n    resetPasswordWithCode(email: $email, code: $code, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation ResetPasswordWithCode($email: String!, $code: String!, $newPassword: String!) {\n    resetPasswordWithCode(email: $email, code: $code, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ChangePassword($oldPassword: String!, $newPassword: String!) {\n    changePassword(oldPassword: $oldPassword, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation ChangePassword($oldPassword: String!, $newPassword: String!) {\n    changePassword(oldPassword: $oldPassword, newPassword: $newPassword) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartGoogleLogin($redirectUri: String!) {\n    startGoogleLogin(redirectUri: $redirectUri) {\n      authorizationUrl\n      state\n      errors { ...ErrorFields }\n    }\n  }\n"): (typeof documents)["\n  mutation StartGoogleLogin($redirectUri: String!) {\n    startGoogleLogin(redirectUri: $redirectUri) {\n      authorizationUrl\n      state\n      errors { ...ErrorFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation GoogleLogin($code: String!, $state: String!) {\n    googleLogin(input: { code: $code, state: $state }, transport: COOKIE) { ...SignInFields }\n  }\n"): (typeof documents)["\n  mutation GoogleLogin($code: String!, $state: String!) {\n    googleLogin(input: { code: $code, state: $state }, transport: COOKIE) { ...SignInFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateProfile($input: ProfileInput!) {\n    updateProfile(input: $input) {\n      user { ...ViewerFields }\n      errors { ...ErrorFields }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateProfile($input: ProfileInput!) {\n    updateProfile(input: $input) {\n      user { ...ViewerFields }\n      errors { ...ErrorFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Sessions {\n    sessions {\n      id\n      createdAt\n      lastUsedAt\n      userAgent\n      ipAddress\n      authMethod\n      current\n    }\n  }\n"): (typeof documents)["\n  query Sessions {\n    sessions {\n      id\n      createdAt\n      lastUsedAt\n      userAgent\n      ipAddress\n      authMethod\n      current\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) { ...LogoutFields }\n  }\n"): (typeof documents)["\n  mutation RevokeSession($id: ID!) {\n    revokeSession(id: $id) { ...LogoutFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogoutAll($keepCurrent: Boolean!) {\n    logoutAll(keepCurrent: $keepCurrent) { ...LogoutFields }\n  }\n"): (typeof documents)["\n  mutation LogoutAll($keepCurrent: Boolean!) {\n    logoutAll(keepCurrent: $keepCurrent) { ...LogoutFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Plans {\n    plans {\n      ...PlanFields\n      description\n    }\n    me {\n      id\n      emailVerified\n      subscription { ...SubscriptionFields }\n    }\n  }\n"): (typeof documents)["\n  query Plans {\n    plans {\n      ...PlanFields\n      description\n    }\n    me {\n      id\n      emailVerified\n      subscription { ...SubscriptionFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Subscribe($planSlug: String!) {\n    subscribe(planSlug: $planSlug) {\n      checkoutUrl\n      subscription { ...SubscriptionFields }\n      errors { ...ErrorFields }\n    }\n  }\n"): (typeof documents)["\n  mutation Subscribe($planSlug: String!) {\n    subscribe(planSlug: $planSlug) {\n      checkoutUrl\n      subscription { ...SubscriptionFields }\n      errors { ...ErrorFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelSubscription {\n    cancelSubscription {\n      subscription { ...SubscriptionFields }\n      errors { ...ErrorFields }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelSubscription {\n    cancelSubscription {\n      subscription { ...SubscriptionFields }\n      errors { ...ErrorFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Articles($first: Int!, $after: String) {\n    articles(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node { ...ArticleSummaryFields }\n      }\n      pageInfo { ...PageInfoFields }\n    }\n  }\n"): (typeof documents)["\n  query Articles($first: Int!, $after: String) {\n    articles(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node { ...ArticleSummaryFields }\n      }\n      pageInfo { ...PageInfoFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Article($slug: String!) {\n    article(slug: $slug) {\n      ...ArticleSummaryFields\n      body\n    }\n  }\n"): (typeof documents)["\n  query Article($slug: String!) {\n    article(slug: $slug) {\n      ...ArticleSummaryFields\n      body\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input, transport: COOKIE) { ...SignInFields }\n  }\n"): (typeof documents)["\n  mutation VerifySecondFactor($input: VerifySecondFactorInput!) {\n    verifySecondFactor(input: $input, transport: COOKIE) { ...SignInFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartPasskeyLogin {\n    startPasskeyLogin { options errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation StartPasskeyLogin {\n    startPasskeyLogin { options errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation PasskeyLogin($credential: String!) {\n    passkeyLogin(credential: $credential, transport: COOKIE) { ...SignInFields }\n  }\n"): (typeof documents)["\n  mutation PasskeyLogin($credential: String!) {\n    passkeyLogin(credential: $credential, transport: COOKIE) { ...SignInFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Reauthenticate($input: ReauthenticateInput!) {\n    reauthenticate(input: $input) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation Reauthenticate($input: ReauthenticateInput!) {\n    reauthenticate(input: $input) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SecondFactors {\n    secondFactors {\n      totpEnabled\n      recoveryCodesRemaining\n      passkeyCount\n    }\n  }\n"): (typeof documents)["\n  query SecondFactors {\n    secondFactors {\n      totpEnabled\n      recoveryCodesRemaining\n      passkeyCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartTotpEnrollment {\n    startTotpEnrollment {\n      secret\n      otpauthUri\n      errors { ...ErrorFields }\n    }\n  }\n"): (typeof documents)["\n  mutation StartTotpEnrollment {\n    startTotpEnrollment {\n      secret\n      otpauthUri\n      errors { ...ErrorFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ConfirmTotpEnrollment($code: String!, $proof: ReauthenticateInput) {\n    confirmTotpEnrollment(code: $code, proof: $proof) { recoveryCodes errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation ConfirmTotpEnrollment($code: String!, $proof: ReauthenticateInput) {\n    confirmTotpEnrollment(code: $code, proof: $proof) { recoveryCodes errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SecureAccount($token: String!) {\n    secureAccount(token: $token) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation SecureAccount($token: String!) {\n    secureAccount(token: $token) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DisableTotp($password: String, $code: String, $recoveryCode: String) {\n    disableTotp(password: $password, code: $code, recoveryCode: $recoveryCode) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation DisableTotp($password: String, $code: String, $recoveryCode: String) {\n    disableTotp(password: $password, code: $code, recoveryCode: $recoveryCode) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegenerateRecoveryCodes {\n    regenerateRecoveryCodes { recoveryCodes errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation RegenerateRecoveryCodes {\n    regenerateRecoveryCodes { recoveryCodes errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Passkeys {\n    passkeys { ...PasskeyFields }\n  }\n"): (typeof documents)["\n  query Passkeys {\n    passkeys { ...PasskeyFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartPasskeyRegistration {\n    startPasskeyRegistration { options errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation StartPasskeyRegistration {\n    startPasskeyRegistration { options errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation FinishPasskeyRegistration($credential: String!, $name: String) {\n    finishPasskeyRegistration(credential: $credential, name: $name) {\n      passkey { ...PasskeyFields }\n      errors { ...ErrorFields }\n    }\n  }\n"): (typeof documents)["\n  mutation FinishPasskeyRegistration($credential: String!, $name: String) {\n    finishPasskeyRegistration(credential: $credential, name: $name) {\n      passkey { ...PasskeyFields }\n      errors { ...ErrorFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemovePasskey($id: ID!) {\n    removePasskey(id: $id) { ok errors { ...ErrorFields } }\n  }\n"): (typeof documents)["\n  mutation RemovePasskey($id: ID!) {\n    removePasskey(id: $id) { ok errors { ...ErrorFields } }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SecurityEvents($first: Int!, $after: String) {\n    securityEvents(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          kind\n          occurredAt\n          method\n          ipAddress\n          userAgent\n          device\n        }\n      }\n      pageInfo { ...PageInfoFields }\n    }\n  }\n"): (typeof documents)["\n  query SecurityEvents($first: Int!, $after: String) {\n    securityEvents(first: $first, after: $after) {\n      totalCount\n      edges {\n        cursor\n        node {\n          id\n          kind\n          occurredAt\n          method\n          ipAddress\n          userAgent\n          device\n        }\n      }\n      pageInfo { ...PageInfoFields }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;