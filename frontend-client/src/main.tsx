import '@mantine/core/styles.css';
import './styles.css';
import { ApolloProvider } from '@apollo/client/react';
import { MantineProvider, createTheme } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { App } from './App';
import { createServices } from './apollo';
import { AuthProvider } from './auth/AuthContext';
import { StepUpProvider } from './components/StepUp';

// Shade 8 of the primary colour keeps white button text above 4.5:1 contrast.
const theme = createTheme({
  primaryColor: 'indigo',
  primaryShade: 8,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  defaultRadius: 'md',
});

const { tokens, problems, client } = createServices();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme}>
      <ApolloProvider client={client}>
        <AuthProvider tokens={tokens} problems={problems}>
          <StepUpProvider>
            <BrowserRouter>
              <App />
            </BrowserRouter>
          </StepUpProvider>
        </AuthProvider>
      </ApolloProvider>
    </MantineProvider>
  </StrictMode>,
);
