/** Staff: list, invitations by email with a role, role changes. */
export default function StaffPage() {
  return <section className="pr-page">Staff</section>;
}
