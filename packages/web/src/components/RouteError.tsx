// Shown instead of a blank page when a screen crashes or a URL matches nothing.
import { Button, Center, Paper, Stack, Text, Title } from '@mantine/core';
import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

export function RouteError(props: { notFound?: boolean }) {
  const err = useRouteError();
  const notFound = props.notFound || (isRouteErrorResponse(err) && err.status === 404);
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" maw={480} w="100%">
        <Stack>
          <Title order={2}>{notFound ? 'Page not found' : 'Something went wrong'}</Title>
          <Text>
            {notFound
              ? 'There is no page at this address.'
              : 'This screen hit an unexpected problem. Your data is safe; reload the page or go back to the dashboard.'}
          </Text>
          <Button component={Link} to="/dashboard" w="fit-content">Back to the System Dashboard</Button>
        </Stack>
      </Paper>
    </Center>
  );
}
