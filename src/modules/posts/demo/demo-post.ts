/**
 * The sample post a new publication starts with. It shows what Pressroom is for: the
 * writer's own analysis around a primary source quoted in full. The press conference is
 * invented for the demonstration; no real official said these words.
 */
export const DEMO_POST_MARKDOWN = `---
title: "Welcome to Pressroom: analysis with the sources in full"
slug: welcome-to-pressroom
tags: [Pressroom, Primary sources]
excerpt: "A sample post that shows how Pressroom sets your own analysis beside a long primary source, quoted in full, on the web, in feeds and in the inbox."
---

This is a sample post. It ships with Pressroom so that your site has something to show on its first run, and it demonstrates the kind of writing Pressroom is built for. Delete it from the admin when you publish your own.

Most publishing tools assume that a post is the writer's own words from top to bottom. Analysts work differently. A typical piece opens with a few paragraphs of framing, then quotes a primary source at length — a ministry's transcript, a court ruling, a central bank's statement — and closes with the writer's reading of it. Readers come for both: the analysis, and the source itself, unabridged, so they can check the analysis against it.

## Why the source belongs in the post

Summaries lose things. A paraphrase of a press conference keeps the answer and drops the question; it keeps the headline sentence and drops the qualification two sentences later. When you quote the whole exchange, your readers can see what was asked, what was answered, and what was carefully not answered.

Pressroom treats that quoted material as first-class content. Long blockquotes are set for reading, not squeezed into a grey box, and they travel intact to your RSS, Atom and JSON feeds and to your subscribers' inboxes.

## An example: a (fictional) press conference

What follows is an invented transcript, written for this demonstration, in the shape such transcripts usually take: unlabelled opening remarks, then alternating questions and answers.

> Good afternoon. Before taking your questions, let me say a few words about the talks that concluded this morning. The delegations met for six hours. We discussed the schedule for the next round, the composition of the working groups, and the principles on which any settlement must rest. We did not expect to resolve every question in one day, and we did not.
>
> **Question:** Minister, the other side says the talks failed. Do you agree?
>
> **The Minister:** I would not use that word. We agreed on a date for the next round, which a month ago was not possible. **We agreed that the working groups will report in writing** \\[my emphasis\\]. That is not failure; that is the slow part of diplomacy, which is most of it.
>
> **Question:** Will sanctions be discussed at the next round?
>
> **The Minister:** Everything that affects the lives of ordinary people on both sides can be discussed. I will not negotiate through the press, and I will not pretend that some subjects do not exist.
>
> **Question:** Is there a deadline?
>
> **The Minister:** There is a calendar. A deadline is something you announce when you want to be able to walk away. We are not announcing one.

Notice what a summary would have lost: the second answer neither confirms nor rules out that sanctions are on the table, and the third distinguishes a calendar from a deadline — a distinction that matters to anyone trying to judge how long the process will run.[^1]

## Reading it

The transcript above rewards a slow reading. The first answer reframes a concession (a date for the next round) as progress. The emphasis marked "[my emphasis]" is the writer's, not the speaker's — Pressroom keeps your emphasis and the speaker's words visibly apart, so readers always know which is which.

Three habits make this kind of post work:

1. **Quote whole exchanges**, not single sentences, so the question stays attached to the answer.
2. **Mark your own emphasis** every time, and say so.
3. **Link the original** wherever it is published, so readers can verify the text.

## What to do next

- Sign in at [/admin](/admin) and create your owner account if you have not yet.
- Set your publication's title, description and accent colour in the settings.
- Write your first post, or import one from Markdown with \`npx pressroom post import my-post.md --publish\`.
- Delete this sample post.

Thank you for choosing to own your archive, your list and your income.

[^1]: The transcript in this post is fictional. In your own posts, link to the official source of every transcript you quote.
`;
