import { Anchor, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { Layout } from './components/Layout';
import { RequireAuth } from './components/RequireAuth';
import { ArticlePage, ArticlesPage } from './pages/articles';
import {
  CheckEmailPage,
  ForgotPasswordPage,
  GoogleCallbackPage,
  LoginPage,
  RegisterPage,
  ResetPasswordPage,
  SecureAccountPage,
  VerifyEmailPage,
} from './pages/auth';
import { PlansPage, WelcomePage } from './pages/plans';
import { ProfilePage } from './pages/profile';
import { SecurityLogPage, SecurityPage } from './pages/security';

const TITLES: [RegExp, string][] = [
  [/^\/$/, 'Articles'],
  [/^\/articles\//, 'Article'],
  [/^\/login/, 'Sign in'],
  [/^\/register/, 'Create account'],
  [/^\/check-email/, 'Check your email'],
  [/^\/verify-email/, 'Verify email'],
  [/^\/forgot-password/, 'Forgot password'],
  [/^\/reset-password/, 'Reset password'],
  [/^\/secure-account/, 'Secure your account'],
  [/^\/auth\/google/, 'Google sign-in'],
  [/^\/profile/, 'Profile'],
  [/^\/account\/security-log/, 'Security log'],
  [/^\/account\/security/, 'Account security'],
  [/^\/plans/, 'Plans'],
  [/^\/membership\/welcome/, 'Welcome'],
];

function DocumentTitle() {
  const { pathname } = useLocation();
  useEffect(() => {
    const title = TITLES.find(([pattern]) => pattern.test(pathname))?.[1] ?? 'Not found';
    document.title = `${title} · Gatehouse`;
  }, [pathname]);
  return null;
}

function NotFoundPage() {
  return (
    <Stack>
      <Title order={1}>Page not found</Title>
      <Text>There is nothing at this address.</Text>
      <Anchor component={Link} to="/">
        Back to articles
      </Anchor>
    </Stack>
  );
}

export function App() {
  return (
    <>
      <DocumentTitle />
      <Routes>
        <Route element={<Layout />}>
          <Route index element={<ArticlesPage />} />
          <Route path="articles/:slug" element={<ArticlePage />} />
          <Route path="login" element={<LoginPage />} />
          <Route path="register" element={<RegisterPage />} />
          <Route path="check-email" element={<CheckEmailPage />} />
          <Route path="verify-email" element={<VerifyEmailPage />} />
          <Route path="forgot-password" element={<ForgotPasswordPage />} />
          <Route path="reset-password" element={<ResetPasswordPage />} />
          <Route path="secure-account" element={<SecureAccountPage />} />
          <Route path="auth/google/callback" element={<GoogleCallbackPage />} />
          <Route path="plans" element={<PlansPage />} />
          <Route path="membership/welcome" element={<WelcomePage />} />
          <Route path="profile" element={<RequireAuth><ProfilePage /></RequireAuth>} />
          <Route path="account/security" element={<RequireAuth><SecurityPage /></RequireAuth>} />
          <Route path="account/security-log" element={<RequireAuth><SecurityLogPage /></RequireAuth>} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </>
  );
}
