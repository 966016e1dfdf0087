/**
 * A long, realistic post for the web benchmark: framing paragraphs, headings, a list, a
 * footnote and a long blockquote transcript of alternating questions and answers. The
 * transcript is synthetic filler written for load testing, not anyone's real words, and
 * the post says so.
 */

const QUESTIONS = [
  'Minister, how would you characterise the outcome of today’s consultations?',
  'Several delegations say the timetable agreed last spring is no longer realistic. Do you share that assessment?',
  'What guarantees, in your view, would make the proposed monitoring mechanism acceptable to all sides?',
  'Is there any change in your position on the sequencing of the next steps?',
  'Could you comment on reports that the working groups will not meet before the autumn?',
  'How do you respond to critics who say the talks have become a substitute for decisions?',
];

const ANSWERS = [
  'We spent most of the day on the practical questions: who meets, how often, and what each working group has to put in writing before the next round. That is not the kind of result that makes headlines, but without it nothing else can move. I would rather report a modest agreement that holds than a broad one that falls apart by the end of the month.',
  'Timetables are tools, not commitments carved in stone. The one agreed last spring assumed that certain preparatory steps would be complete by now, and several of them are not. We proposed to revise it openly instead of pretending otherwise, and our partners agreed to look at a revised draft within two weeks.',
  'Any mechanism has to be verifiable by every party, staffed by people the parties accept, and able to report without asking permission first. We have said this consistently. The details — the number of observers, their access, the format of their reports — are exactly what the working groups are for.',
  'Our position has not changed, and I do not think anyone in the room expected it to. What has changed is that there is now a written list of the questions on which we disagree, which is more than we had in the spring. A list of disagreements is the beginning of a negotiation, not the end of one.',
  'I have seen those reports. The working groups will meet when the documents they are supposed to discuss are ready, and not before; meeting to exchange general statements would waste everyone’s time. I expect the first drafts to circulate within a month.',
  'Talks are not a substitute for decisions; they are how decisions that last get made. Decisions taken without them tend to be revisited, usually at greater cost. I understand the impatience, and I share some of it, but I would ask the critics what alternative they propose.',
];

const FRAMING = [
  'Press conferences like this one rarely produce news in the usual sense. The value lies in the wording: which questions are answered directly, which are redirected to a working group, and which qualifications appear two sentences after the headline sentence. That is why the exchange is quoted in full below rather than summarised.',
  'Readers who follow these consultations will notice that the vocabulary has shifted over the past year. Phrases that once appeared in every answer have disappeared, and new ones have taken their place. Tracking that vocabulary is tedious, but it is one of the few reliable signals available from outside the room.',
  'The transcript is long, and deliberately so. A summary would keep the answers and drop the questions; it would keep the first sentence of each answer and drop the conditions attached to it. The analysis that follows refers back to specific turns, so that every claim made here can be checked against the source.',
];

function transcript(turns: number): string {
  const lines: string[] = [
    '> Good afternoon. Before taking your questions, let me say a few words about the consultations that concluded this morning. The delegations met for most of the day. We discussed the schedule for the next round, the composition of the working groups, and the principles on which any settlement must rest.',
  ];
  for (let i = 0; i < turns; i++) {
    lines.push(
      '>',
      `> **Question:** ${QUESTIONS[i % QUESTIONS.length]}`,
      '>',
      `> **Sergey Lavrov:** ${ANSWERS[i % ANSWERS.length]}`,
    );
  }
  return lines.join('\n');
}

/** Markdown with front matter; `turns` controls the length (about 700 bytes of HTML each). */
export function longPostMarkdown(slug: string, turns = 34): string {
  return `---
title: "Reading the transcript: what the consultations did and did not settle"
slug: ${slug}
tags: [Diplomacy, Primary sources, Transcripts]
excerpt: "A long analysis beside the full transcript of a press conference, quoted turn by turn. Benchmark content: the transcript is synthetic."
---

*Benchmark content: the transcript below is synthetic filler generated for a load test, not a record of anything anyone said.*

${FRAMING[0]}

${FRAMING[1]}

## What was on the agenda

The consultations had three items on their published agenda, and a fourth that everyone discussed and nobody listed:

- the timetable for the next round, including the dates of the working-group meetings;
- the composition and mandate of each working group;
- the principles for a monitoring mechanism, which both sides say they want and describe differently;
- the question of sequencing — what has to happen first — which shaped the answers to all the others.[^sequencing]

${FRAMING[2]}

## The transcript

The full exchange follows, as distributed after the press conference, with only the speakers’ names set in bold.

${transcript(turns)}

## Reading it closely

Three things stand out. First, every answer about the timetable is framed as a revision rather than a delay, which suggests that the revised draft is already largely written. Second, the answer on monitoring lists criteria rather than rejecting a proposal, a shift from the language used in the spring. Third, the word “sequencing” never appears in the answers, although it sits behind most of the questions.

None of this amounts to a breakthrough, and it would be a mistake to read it as one. But it is a more specific position than the one on record a year ago, and specificity is what allows the other side to respond.

### What to watch next

The revised timetable is due within two weeks. If it arrives on time and contains dates rather than intentions, the working groups will meet before the autumn, whatever the reports say. If it does not, expect the next press conference to be shorter.

[^sequencing]: Sequencing disputes are common in negotiations of this kind: each side accepts most of the other’s demands in principle and disagrees about which must be met first. The published agenda lists it under none of its items.
`;
}
