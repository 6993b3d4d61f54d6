// Routes. Until the session check answers, a loader; if the server cannot be reached, a message
// with a retry button: never a blank page.
import { Button, Center, Loader, Paper, Stack, Text, Title } from '@mantine/core';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { AuditLog } from './audit/AuditLog';
import { useAuth } from './auth/AuthContext';
import { errorText } from './components/ErrorAlert';
import { RouteError } from './components/RouteError';
import { Shell } from './layout/Shell';
import { Dashboard } from './pages/Dashboard';
import { SignIn } from './pages/SignIn';
import { RolesPage } from './roles/RolesPage';
import { SecretManager } from './secrets/SecretManager';
import { TrashPage } from './secrets/TrashPage';

const router = createBrowserRouter([
  { path: '/sign-in', element: <SignIn />, errorElement: <RouteError /> },
  {
    path: '/dashboard',
    element: <Shell />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Dashboard /> },
      { path: 'secret-manager', element: <SecretManager /> },
      { path: 'secret-manager/trash', element: <TrashPage /> },
      { path: 'roles', element: <RolesPage /> },
      { path: 'audit', element: <AuditLog /> },
    ],
  },
  { path: '/', element: <Navigate to="/dashboard" replace /> },
  { path: '*', element: <RouteError notFound />, errorElement: <RouteError /> },
]);

export function App() {
  const auth = useAuth();
  if (auth.status.kind === 'loading') {
    return (
      <Center mih="100vh" aria-busy="true">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (auth.status.kind === 'failed') {
    return (
      <Center mih="100vh" p="md">
        <Paper withBorder p="xl" maw={480} role="alert">
          <Stack>
            <Title order={2}>Coffer cannot start</Title>
            <Text>{errorText(auth.status.error)}</Text>
            <Button onClick={auth.retry} w="fit-content">Try again</Button>
          </Stack>
        </Paper>
      </Center>
    );
  }
  return <RouterProvider router={router} />;
}
