/** Settings: being built (see the settings screen's issue point). */
export default function SettingsPage(_props: { path: string }) {
  return <h1>Settings</h1>;
}
