/** Dashboard: being built (see the dashboard screen's issue point). */
export default function DashboardPage() {
  return <h1>Dashboard</h1>;
}
