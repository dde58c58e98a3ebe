// The sign-in, sign-up, verification and password-reset pages, one file each.
export { CheckEmailPage } from './CheckEmailPage';
export { ForgotPasswordPage } from './ForgotPasswordPage';
export { GoogleCallbackPage } from './GoogleCallbackPage';
export { LoginPage } from './LoginPage';
export { RegisterPage } from './RegisterPage';
export { ResetPasswordPage } from './ResetPasswordPage';
export { SecureAccountPage } from './SecureAccountPage';
export { VerifyEmailPage } from './VerifyEmailPage';
