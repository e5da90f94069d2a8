"""/export: the workbook of records, hours and scores, or the monthly briefing, sent privately."""

from __future__ import annotations

import re
from datetime import date

from bot.kernel.dispatcher import Context, UserError
from bot.domain.dates import parse_date
from bot.kernel.messages import OutgoingFile, Reply
from bot.services.reports import briefing, workbook
from bot.kernel.router import Router
from handlers.lookup import allowed_scope, is_organiser

router = Router()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MONTH = re.compile(r"^(?:(?P<year>\d{4})[-年/.])?(?P<month>\d{1,2})月?$")


@router.command("export", summary_key="cmd_export", usage_key="usage_export")
async def export(ctx: Context) -> list[Reply]:
    words = ctx.args.split()
    if words and words[0] in ("briefing", "简报"):
        if not is_organiser(ctx):
            raise UserError("export_briefing_program_only")
        return await _briefing(ctx, words[1] if len(words) > 1 else "")
    first, last = ctx.policy.semester.start, min(ctx.today, ctx.policy.semester.end)
    dates = [parse_date(word, ctx.today) for word in words if parse_date(word, ctx.today)]
    rest = [word for word in words if not parse_date(word, ctx.today)]
    if len(dates) == 2:
        first, last = sorted(dates)
    elif dates:
        raise UserError("usage_export")
    scope, label = await allowed_scope(ctx, rest, "usage_export", "export_not_yours")
    from bot.render.exports import to_xlsx  # openpyxl loads only when someone exports

    sheets = await workbook(ctx.uow, ctx.policy, ctx.t, ctx.zone, ctx.today, first, last, **scope)
    content = to_xlsx(sheets, title=f"{ctx.policy.name} {label}")
    name = f"研修台账-{label}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx"
    await ctx.audit("export.workbook", name, after={"rows": [len(sheet.rows) for sheet in sheets]})
    return [Reply(
        ctx.t("export_ready", unit=label, first=f"{first:%Y-%m-%d}", last=f"{last:%Y-%m-%d}",
              records=len(sheets[0].rows), hours=len(sheets[1].rows), scores=len(sheets[2].rows)),
        file=OutgoingFile(file_name=name, content=content, mime_type=XLSX),
    )]


def month_of(text: str, today: date) -> date:
    """`2026-11`, `11月` or nothing (last month): the first day of the month a briefing is about."""
    if not text:
        previous = today.replace(day=1)
        return (previous.replace(year=previous.year - 1, month=12) if previous.month == 1
                else previous.replace(month=previous.month - 1))
    found = MONTH.match(text)
    if found is None or not 1 <= int(found["month"]) <= 12:
        raise ValueError(text)
    year = int(found["year"]) if found["year"] else today.year - (int(found["month"]) > today.month)
    return date(year, int(found["month"]), 1)


async def _briefing(ctx: Context, text: str) -> list[Reply]:
    try:
        month = month_of(text, ctx.today)
    except ValueError:
        raise UserError("usage_export") from None
    from bot.render.exports import briefing_docx, briefing_markdown  # python-docx loads only here

    report = await briefing(ctx.uow, ctx.policy, ctx.t, ctx.zone, month, f"{ctx.policy.name}研修简报", ctx.today)
    stem = f"研修简报-{month:%Y年%m月}"
    await ctx.audit("export.briefing", stem)
    return [
        Reply(ctx.t("briefing_ready", period=report.period),
              file=OutgoingFile(file_name=f"{stem}.docx", content=briefing_docx(report), mime_type=DOCX)),
        Reply(briefing_markdown(report)),
    ]
