/** Sends: being built (see the sends screen's issue point). */
export default function SendsPage(_props: { path: string }) {
  return <h1>Sends</h1>;
}
