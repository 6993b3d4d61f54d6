// The frame of every signed-in screen: header with the account menu (top right), the dashboard
// navigation on the left (a drawer behind the burger on narrow windows), and the page.
import { ActionIcon, AppShell, Avatar, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect } from 'react';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { useAuth } from '../auth/AuthContext';
import { errorText } from '../components/ErrorAlert';
import { IconKey, IconList, IconShield } from '../components/icons';
import { NAV } from './nav';

const SECTION_ICON = { Configuration: IconKey, Access: IconShield, Security: IconList };

export function Shell() {
  const auth = useAuth();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();

  // Permissions can change while the page is open (an admin assigns a role): re-read them on each screen.
  useEffect(() => {
    close();
    if (auth.user) auth.refreshUser().catch(() => undefined);
  }, [location.pathname]);

  if (auth.status.kind !== 'signedIn') {
    // After a lost session, come back here once signed in; after Sign out, the next person who
    // signs in starts at the dashboard, not on the previous user's last screen.
    const from = auth.status.kind === 'signedOut' && auth.status.byUser ? undefined : location.pathname + location.search;
    return <Navigate to="/sign-in" replace state={from ? { from } : null} />;
  }
  const user = auth.status.user;
  const entries = NAV.filter((e) => e.visible(auth));

  const signOut = async () => {
    try {
      await auth.signOut();
    } catch (e) {
      notifications.show({ color: 'red', title: 'Sign-out failed', message: errorText(e) });
    }
    navigate('/sign-in');
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 248, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={opened ? 'Close navigation' : 'Open navigation'} />
            <UnstyledButton component={Link} to="/dashboard" aria-label="Coffer home">
              <Group gap={6} wrap="nowrap">
                <IconKey size={22} />
                <Text fw={700} size="lg">Coffer</Text>
              </Group>
            </UnstyledButton>
          </Group>
          <Menu position="bottom-end" width={240} shadow="md">
            <Menu.Target>
              <ActionIcon variant="subtle" size="lg" radius="xl" aria-label="Account">
                <Avatar size={32} radius="xl" color="indigo">{user.email.slice(0, 2).toUpperCase()}</Avatar>
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>
                <Text size="sm" fw={500} c="bright" truncate>{user.email}</Text>
                <Text size="xs" c="dimmed">{user.roles.length ? `Roles: ${user.roles.join(', ')}` : 'No roles'}</Text>
              </Menu.Label>
              <Menu.Divider />
              <Menu.Item component={Link} to="/dashboard">System Dashboard</Menu.Item>
              <Menu.Item onClick={signOut}>Sign out</Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="System Dashboard">
        <ScrollArea>
          <NavLink component={Link} to="/dashboard" label="System Dashboard" active={location.pathname === '/dashboard'} fw={600} />
          {(['Configuration', 'Access', 'Security'] as const).map((section) => {
            const items = entries.filter((e) => e.section === section);
            if (!items.length) return null;
            const Icon = SECTION_ICON[section];
            return (
              <div key={section}>
                <Text size="xs" fw={700} c="dimmed" tt="uppercase" mt="md" mb={4} px="sm">{section}</Text>
                {items.map((e) => (
                  <NavLink key={e.to} component={Link} to={e.to} label={e.label} leftSection={<Icon size={16} />} active={location.pathname.startsWith(e.to)} />
                ))}
              </div>
            );
          })}
        </ScrollArea>
      </AppShell.Navbar>

      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
