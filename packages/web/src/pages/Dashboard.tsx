// System Dashboard home: the entries this account may use, grouped by section as in the seed.
import { Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { PageHeader } from '../components/PageHeader';
import { NAV } from '../layout/nav';

export function Dashboard() {
  const auth = useAuth();
  const entries = NAV.filter((e) => e.visible(auth));
  const sections = [...new Set(entries.map((e) => e.section))];
  return (
    <Stack maw={1100}>
      <PageHeader title="System Dashboard" description={`Signed in as ${auth.user?.email ?? ''}`} />
      {entries.length === 0 && (
        <Text>Your account has no dashboard permissions yet. Ask an administrator to give you a role.</Text>
      )}
      {auth.info && !auth.info.secret_manager_enabled && auth.can('secrets/read') && (
        <Text size="sm" c="dimmed">Secret Manager is turned off on this server (SECRET_MANAGER_ENABLED=false).</Text>
      )}
      {sections.map((section) => (
        <Stack key={section} gap="xs">
          <Title order={3} size="h4">{section}</Title>
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            {entries.filter((e) => e.section === section).map((e) => (
              <Card key={e.to} withBorder component={Link} to={e.to} padding="lg" className="dashboard-card">
                <Text fw={600}>{e.label}</Text>
                <Text size="sm" c="dimmed" mt={4}>{e.description}</Text>
              </Card>
            ))}
          </SimpleGrid>
        </Stack>
      ))}
    </Stack>
  );
}
