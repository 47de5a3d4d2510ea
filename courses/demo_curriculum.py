"""The demo organisation's manager-first curriculum: the words, kept apart from the loading.

Three courses written for Cadence: leaders first (*Leading the Change*), then managers
(*Coaching Rhythm*), then reps (*Discovery Conversations*), each opening when the level above
has done its part. Lessons are Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LessonText:
    title: str
    minutes: int
    body: str


@dataclass(frozen=True)
class ModuleText:
    title: str
    lessons: tuple[LessonText, ...]


@dataclass(frozen=True)
class CourseText:
    slug: str
    title: str
    summary: str
    audience: tuple[str, ...]
    tags: tuple[str, ...]
    modules: tuple[ModuleText, ...]


LEADER = CourseText(
    slug="leading-the-change",
    title="Leading the Change",
    summary="For regional leaders: why your presence decides whether training sticks, how to "
            "sponsor the rollout before it starts, and how to keep it alive afterwards.",
    audience=("leader", "executive"),
    tags=("leadership", "change", "sponsorship"),
    modules=(
        ModuleText("Why leaders stay in the room", (
            LessonText("The signal your presence sends", 8, """\
Your managers watch what you do far more closely than what you say. When a leader opens a
training day, says a few warm words and leaves for "a quick call", every manager in the room
draws the same conclusion: *this is for them, not for us*. Within a month the new habits are
gone, and nobody can quite say why.

Staying for the whole session sends the opposite signal. It tells your managers three things:

- **It matters.** You chose this over other work, so they should too.
- **You will ask about it.** They expect you to use the same language in your next review.
- **You know what they were taught.** They cannot quietly fall back on old habits and claim
  the training did not fit the real world.

Staying is not passive. You are there to learn the same model your managers will use, so that
when you coach *them* you speak the same language. Take notes on the two or three ideas that
fit your region best; those become the themes of your first month of follow-up.

If you genuinely cannot attend a session, say so in advance, send someone who outranks the
managers in the room, and book a short debrief with each of your managers within the week.
Missing it silently is the one choice that costs more than it saves.
"""),
            LessonText("What to do while you are there", 7, """\
Being in the room is the minimum. How you behave there shapes how your managers behave.

**Take part as a learner.** Do the exercises, including the role plays. Managers relax when
they see their leader practise something imperfectly; they stiffen when the leader sits at
the back reading email.

**Hold back your opinions early.** If you argue with the facilitator in the first hour, the
room will follow you and the day becomes a debate about whether the model applies here. Save
your challenges for a break, or for the end.

**Listen for objections.** Note what your managers push back on. Those objections are your
to-do list:

1. A process that makes the new habit impossible (a report nobody reads, a meeting in the
   wrong slot).
2. A capacity problem (a manager with fourteen reps cannot hold weekly one-to-ones).
3. A belief ("my team is too senior for coaching").

**Close the day with a commitment.** Before people leave, say out loud what you will do next:
when you will review their coaching calendars, and what you will ask about in your next
one-to-one with each of them. A specific promise from the leader is the strongest reinforcement
the day can have.
"""),
        )),
        ModuleText("Sponsoring the rollout", (
            LessonText("Before the training: the note to your managers", 6, """\
Managers arrive ready to learn when they know why they are there. Send each of your managers
a short note two to three weeks before their session. It does not need to be long, but it
should answer four questions in your own words:

- **What will you learn?** Name the skills: a weekly coaching rhythm, structured check-ins,
  pipeline inspection.
- **Why now?** Connect it to something real in the region: a forecast that keeps slipping,
  new reps who take too long to ramp, a change in how customers buy.
- **How will your work change?** Be honest. Some time moves from deal firefighting to
  planned coaching. Say which meeting or report you will drop to make room.
- **What results do we expect?** Pick one or two measures you will look at together, such
  as proposal ratio or the share of deals with a confirmed next step.

End the note by saying you will be in the room for the whole session. Then make sure you are.

Cadence records who received the note and who acknowledged it. Before the session, look at
the list and call anyone who has not read it: a two-minute conversation now saves a
distracted manager on the day.
"""),
            LessonText("Clearing the calendar and the obstacles", 6, """\
Good intentions lose to a full calendar. Sponsoring the rollout means removing the reasons
your managers will give for not coaching.

**Protect the time.** Look at the regular meetings your managers attend. Cancel or shorten one
of them for the next quarter and say publicly that the time goes to coaching. A leader who
adds coaching without taking anything away is asking for overtime, and will get lip service.

**Fix the team sizes you can.** A manager with more than ten reps cannot run a weekly
check-in with each of them. If you cannot change the structure, agree a fortnightly rhythm
for that team rather than a weekly one that will quietly fail.

**Align the reports.** If your forecast call still asks only for numbers, managers will keep
inspecting numbers. Add one coaching question to it, such as *which rep did you coach on which
deal this week, and what changed?*

**Decide what you will stop asking for.** Every new expectation needs an old one retired. Make
a short list and share it; it is the most credible proof that you mean it.
"""),
        )),
        ModuleText("Reinforcing after class", (
            LessonText("Confirming the coaching rhythm", 7, """\
Training creates intent; reinforcement creates habit. For the first ninety days after the
session your job is to confirm that the coaching rhythm is actually happening.

Each week, spend fifteen minutes looking at your managers' check-ins in Cadence:

- Were they held on the agreed cadence, or moved and then dropped?
- Do the agendas show preparation, or are they blank until the meeting starts?
- Are action items being closed, or carried forward week after week?

You are looking for patterns, not policing individual meetings. A manager who misses one
check-in during a busy quarter-end is normal. A manager whose check-ins have no action items
at all is probably holding status meetings under a new name.

When you see a pattern, raise it in your own one-to-one with that manager. Ask what got in
the way before you suggest anything. Often the obstacle is one you can remove: a clashing
meeting, an unclear expectation, or a rep who needs a different kind of help.

Confirm good practice out loud, too. When a manager's check-ins are consistent and their
action items close, tell them, and tell their peers what you noticed.
"""),
            LessonText("Giving feedback on a manager's coaching", 8, """\
Your managers coach reps; you coach your managers on their coaching. That feedback is the
most valuable thing you add after the training.

**Observe before you comment.** Sit in on one check-in per manager each month, with the rep's
agreement. Stay quiet during the meeting. Afterwards, ask the manager how they thought it went
before you say anything.

**Use the same model they learned.** Frame your feedback in the language of the course:
did they prepare an agenda, did the rep do most of the talking, did the meeting end with an
action item the rep owns? Shared language keeps feedback about behaviour, not personality.

**Keep it specific and small.** One thing to keep doing and one thing to try next time is
plenty. For example:

1. *Keep:* you asked the rep to walk through the deal before giving your view.
2. *Try:* end by asking the rep to summarise the next step in their own words.

**Record it.** Add your comment to the check-in in Cadence so the manager can revisit it and
so you can see, next month, whether it changed anything. Feedback that nobody writes down is
forgotten by Friday.
"""),
        )),
    ),
)

MANAGER = CourseText(
    slug="coaching-rhythm",
    title="Coaching Rhythm for Sales Managers",
    summary="For front-line managers: build a weekly coaching rhythm, run one-to-one "
            "check-ins that change behaviour, and inspect pipelines without taking over deals.",
    audience=("manager",),
    tags=("coaching", "check-ins", "pipeline"),
    modules=(
        ModuleText("The coaching rhythm", (
            LessonText("Why rhythm beats heroics", 7, """\
Most sales managers coach when something goes wrong: a deal slips, a forecast misses, a rep
asks for help on the day of a big meeting. That kind of coaching feels productive because it
is urgent, but it teaches reps to wait for rescue, and it only reaches the reps who shout.

A coaching *rhythm* is different. It is a small set of conversations that happen on a fixed
cadence whatever the week looks like:

- a **weekly one-to-one check-in** with each rep, about their priorities and their growth;
- a **pipeline review** with each rep, every week or two, about specific deals;
- a **team meeting** for shared learning, not for reading out numbers.

Rhythm works because behaviour changes through repetition. A rep who knows that every Tuesday
their manager will ask about next steps starts planning next steps on Monday. The meeting
becomes a prompt that works even when the manager is not there.

Rhythm is also fair. Quiet, steady reps get the same attention as the loud ones, and
problems surface while they are still small. The aim of this course is to build that rhythm
and keep it for the ninety days it takes to become a habit.
"""),
            LessonText("Building your weekly coaching calendar", 6, """\
A rhythm only exists if it is in the calendar. Block the time before anything else fills it.

1. **List your reps** and decide a cadence for each: weekly for most, fortnightly for
   experienced reps who are performing well, never less than that.
2. **Give each check-in a fixed slot**, 30 minutes, same day and time every week. Moving a
   meeting is fine; cancelling it should be rare.
3. **Cluster pipeline reviews** on one or two days so you can compare deals across the team.
4. **Leave a buffer.** Keep an hour a week free for the urgent deal help that will still
   come up. If it does not, use it to prepare.

Then check the maths. Eight reps with weekly 30-minute check-ins and fortnightly pipeline
reviews is about seven hours a week. If that is impossible, talk to your leader about what
you can stop doing; do not quietly shorten every meeting to ten minutes.

Set the check-ins up in Cadence so that agendas and action items carry over from one meeting
to the next. Your leader will look at the rhythm too, so it is worth getting it right early.
"""),
        )),
        ModuleText("Running 1:1 check-ins", (
            LessonText("Before the check-in: the shared agenda", 6, """\
A good check-in starts the day before. Both of you should arrive knowing what you will talk
about.

Ask your rep to add their topics to the shared agenda at least a day ahead. A simple
structure works for most weeks:

- **Wins and progress** since last time, including the action items from the previous
  check-in;
- **One thing that is stuck**, such as a deal, a skill or a relationship;
- **One thing they want to get better at**, which is where coaching happens.

Add your own topics too, but keep them few. If your items fill the agenda, the meeting has
become a status report for you rather than coaching for them.

Before the meeting, spend five minutes reviewing: open action items, the rep's activity and
goals for the period, and anything you noticed in their deals. Write down one question you
want to ask. Preparing a question rather than an answer keeps you from taking over.

If a rep never adds anything to the agenda, do not fill it for them. Ask in the meeting what
would make the time useful; the answer is often more revealing than any agenda.
"""),
            LessonText("During: listen, ask, agree", 8, """\
The rep should do most of the talking. A useful rule is that if you are speaking more than a
third of the time, you are probably telling rather than coaching.

**Listen first.** Let the rep walk through their agenda. Resist the urge to solve the first
problem you hear; the real issue often comes out second.

**Ask open questions.** Questions that start with *what* and *how* invite thinking:

- *What have you tried so far?*
- *What would the customer say is the biggest risk?*
- *How would you handle it if the decision maker says no?*

Avoid questions that are advice in disguise, such as *Have you thought about calling the CFO?*
If you have a suggestion, offer it plainly after the rep has shared their own ideas.

**Diagnose before you prescribe.** When something is not working, find out why. It might be
knowledge (they do not know the product), skill (they know but cannot do it yet), capacity
(too many accounts), commitment, or something in the environment. Each needs a different
response.

**Agree on action items.** Close with one to three actions, each with an owner and a date.
The rep should own most of them and say them back in their own words. Record them in the
check-in so they are there, waiting, next week.
"""),
            LessonText("After: action items that survive the week", 5, """\
Most coaching is lost between meetings. Action items are how it survives.

Write action items so that anyone could tell whether they are done:

- Weak: *Work on discovery.*
- Strong: *Before Thursday's call with Halvorsen, write five discovery questions and share
  them with me.*

Follow up in the next check-in by opening with the previous action items, before anything
else. This small habit tells the rep that commitments matter here. If an item is not done,
ask what got in the way rather than simply moving it forward. An item carried over three
times is a sign that it was the wrong item, or that something is blocking the rep.

Do your own action items too. If you promised to introduce the rep to a product specialist,
do it before the next check-in. Nothing erodes a coaching relationship faster than a manager
who holds reps to commitments they do not keep themselves.

Finally, look across your team once a month. Which action items keep recurring? A theme that
shows up for several reps is a topic for the team meeting, not for five separate one-to-ones.
"""),
        )),
        ModuleText("Inspecting pipelines", (
            LessonText("What to look for in a pipeline", 7, """\
Pipeline inspection is not a forecast call. The question is not *how much will close?* but
*what does this pipeline tell me about how this rep sells?*

Look at the shape before the deals:

- **Coverage:** is there enough value in the pipeline for the target, given the rep's usual
  win rate?
- **Flow:** are deals moving from stage to stage, or piling up in one place? A pile-up shows
  where the rep needs help: often qualification or getting to the decision maker.
- **Age:** deals that have sat in the same stage for twice the usual time are rarely as
  healthy as their probability says.
- **Next steps:** does every active deal have a dated next step agreed with the customer?
  A next step that lives only in the rep's head is a hope.

Then choose two or three deals to discuss in depth: one the rep is confident about, one that
is stuck, and one that is large for this rep. Looking at a mix keeps the review from becoming
a hunt for bad news, and it shows you the rep's judgment as well as their problems.
"""),
            LessonText("Asking deal questions without taking over", 7, """\
The fastest way to help with a deal is to take it over. It is also the fastest way to make
sure the rep never learns to handle the next one.

Stay in the coach's seat with questions that test the deal rather than direct it:

1. *What problem is the customer trying to solve, in their words?*
2. *Who decides, who signs, and who could block it?*
3. *What happens for the customer if they do nothing?*
4. *What is the next step, and did the customer agree to it?*
5. *What would make you walk away from this deal?*

When the rep cannot answer, that gap is the coaching point. Agree on how they will find out
rather than telling them the answer.

There will be times when you must step in: a large deal at a critical moment, or a customer
who asks for a manager. When you do, agree on your role with the rep before the call, let
the rep lead it, and debrief together afterwards. The rep should leave the deal more capable,
not more dependent.
"""),
            LessonText("From inspection to a coaching plan", 6, """\
A pipeline review is only worth the time if it changes what the rep does next. Turn what you
found into a short coaching plan.

Start with the pattern, not the single deal. If three deals are stuck after the first
meeting, the issue is probably discovery or qualification, not bad luck with three customers.
Name the pattern with the rep and check that they see it too.

Then pick **one skill** to work on for the next few weeks. Make it concrete:

- practise the opening questions for discovery calls in the next two check-ins;
- bring one proposal draft to review before it is sent;
- ride along on, or listen to, one call and give feedback afterwards.

Link the plan to a measure you can both see, such as the proposal ratio or the share of deals
with an agreed next step. Review it every few weeks: if the measure does not move, change the
approach rather than repeating it louder.

Your reps will take their own course, *Discovery Conversations*, once you complete this one.
Use the plan to connect what they learn there to the deals in their pipeline.
"""),
        )),
    ),
)

REP = CourseText(
    slug="discovery-conversations",
    title="Discovery Conversations That Move Deals",
    summary="For account executives: prepare for discovery, find the business problem, agree "
            "real next steps, and bring your calls to your manager's check-ins.",
    audience=("rep",),
    tags=("discovery", "selling skills"),
    modules=(
        ModuleText("Preparing", (
            LessonText("Research that earns the first question", 6, """\
Customers give their time to sellers who have done their homework. Fifteen minutes of research
before a discovery call changes the whole conversation.

Before the call, find out:

- **What the company does and how it makes money**: its main products, its customers, and
  whether it is growing, shrinking or changing direction;
- **What has changed recently**: new leadership, an acquisition, a new market, a public
  target. Change creates problems, and problems create projects;
- **Who you are meeting**: their role, how long they have been there, and what they are
  likely to be measured on.

Use what you find to write one opening question that shows you did the work, for example:
*You opened two new regions this year. How has that changed the way your team handles
onboarding?* Compare that with *So, tell me about your business*, which asks the customer to
do your research for you.

Do not turn the research into a presentation. Its job is to help you ask better questions,
not to prove how much you know.
"""),
            LessonText("A question plan, not a script", 5, """\
A script makes a conversation stiff. A question plan keeps it focused while leaving room to
follow the customer.

Write a short plan for each discovery call, grouped around what you need to learn:

- **The situation:** how things work today, and who is involved.
- **The problem:** what is not working, how often, and what it costs.
- **The impact:** who else feels it, and what happens if nothing changes.
- **The decision:** how they would choose a solution, who signs, and by when.

Under each heading write two or three open questions. You will not ask all of them; the plan
is there so that you notice what you have *not* learned yet before the call ends.

Share the plan with your manager before important calls. It takes them two minutes to read
and often produces the one question you would not have thought of. It also gives your next
check-in something concrete to discuss.
"""),
        )),
        ModuleText("In the conversation", (
            LessonText("Listening for the business problem", 7, """\
Customers usually open with a request: a feature, a price, a demo. The request is rarely the
problem. Your job in discovery is to find the business problem behind it.

When you hear a request, ask about the reason:

- *What prompted you to look at this now?*
- *What happens today when that goes wrong?*
- *How do you measure it?*

Listen for words that point to cost, risk or growth: *delays*, *complaints*, *rework*,
*missed targets*, *manual*. When you hear one, slow down and ask for an example. Specific
stories are what you will use later to build a proposal that the customer recognises as
theirs.

Summarise what you heard before moving on: *So the real issue is that new hires take three
months to reach quota, and that is costing you a quarter of their first-year revenue. Did I
get that right?* A good summary is the strongest sign to a customer that you were listening,
and it often draws out a correction that matters more than anything else in the call.
"""),
            LessonText("Confirming next steps", 5, """\
A discovery call that ends with *I'll send you some information* has not moved the deal. Every
call should end with a next step that the customer agrees to and that has a date.

Good next steps involve the customer doing something too:

- a second meeting with the people who feel the problem most;
- sharing data so you can estimate the impact together;
- an introduction to the person who signs off on budget.

Propose the next step yourself, be specific, and ask for agreement: *Would it make sense to
meet with your operations lead next Tuesday to look at the onboarding numbers?* If the customer
will not commit to anything, that is information as well. The deal may not be real yet, and
it is better to learn that now than at the end of the quarter.

Record the next step in your pipeline straight after the call. Your manager will ask about it
in your pipeline review, and a dated next step agreed by the customer is the clearest sign of
a healthy deal.
"""),
        )),
        ModuleText("Working with your manager", (
            LessonText("Bringing a call to your check-in", 5, """\
Your manager has taken their own course on coaching and will run a weekly check-in with you.
You get the most from it when you bring real material.

Each week, pick one discovery call to bring:

1. Add it to the shared agenda the day before, with one line on what happened.
2. Say what you want help with: a question that fell flat, a stakeholder you could not reach,
   a next step the customer would not agree to.
3. Bring your question plan and your notes, not just your memory of the call.

In the meeting, expect questions rather than answers. Your manager is trying to help you find
your own way through, because that is what you will need on the next call when they are not
there.

Close by agreeing one action you will take before the next check-in, and make sure it is
written down. Then do it. Reps who close their action items get better coaching, because their
manager can build on last week's work instead of starting over.
"""),
        )),
    ),
)

CURRICULUM = (LEADER, MANAGER, REP)
