import { createInterface } from 'node:readline';
import { AppError } from '../platform/errors.js';
import { passwordSchema } from '../modules/staff/index.js';

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks without echoing on a terminal; `--password-stdin` (or a pipe) reads one line instead. */
async function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as {
    _writeToOutput: (s: string) => void;
    output: NodeJS.WriteStream;
  };
  let asked = false;
  output._writeToOutput = (s: string) => {
    if (!asked) {
      process.stdout.write(s);
      asked = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    process.stdout.write('\n');
  }
}

export async function readPassword(fromStdin: boolean): Promise<string> {
  let password: string;
  if (fromStdin || !process.stdin.isTTY) {
    password = await readAllStdin();
  } else {
    password = await prompt('Password (at least 10 characters): ');
    const again = await prompt('Repeat password: ');
    if (again !== password) throw new AppError('password_mismatch', 'The passwords do not match');
  }
  const check = passwordSchema.safeParse(password);
  if (!check.success)
    throw new AppError(
      'invalid_input',
      `Password ${check.error.issues[0]?.message ?? 'is invalid'}`,
      { field: 'password' },
    );
  return password;
}
