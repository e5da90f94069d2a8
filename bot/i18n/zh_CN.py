"""简体中文（默认，也是其他语言缺词时的后备）。"""

MESSAGES: dict[str, str] = {
    # general
    "welcome": "您好！我是研修助手，帮您在群里完成签到、教学反思、教学案例和听课记录，并统计学时与积分。\n第一次使用请先登记：/join 姓名 学校",
    "welcome_member": "{name}老师，您好！欢迎回来。",
    "help_header": "研修助手可以做这些事：",
    "help_footer": "在群里直接发“签到”也可以打卡。发送 /help 命令名 查看某个命令的用法。",
    "help_unknown": "没有 /{command} 这个命令。发送 /help 查看全部命令。",
    "help_keywords": "也可以直接发送：{keywords}",
    "unknown_command": "没有 /{command} 这个命令。发送 /help 查看全部命令。",
    "unknown_private": "没看懂这条消息。发送 /help 查看我能做什么。",
    "attachment_without_text": "收到文件了，但没有说明文字，我不知道它是什么。请在发送时附上说明，例如“反思”或“案例”。",
    "edited_ignored": "修改后的消息不会重新处理。如需更正，请重新发送。",
    "internal_error": "抱歉，处理这条消息时出了点问题，内容没有保存。请稍后再试；如果一直不行，请把错误编号 {error_id} 告诉管理员。",
    "join_first": "请先登记身份：/join 姓名 学校（例如 /join 王芳 紫阳县第二小学）",
    "not_allowed": "抱歉，您没有使用 /{command} 的权限。",
    "private_only": "/{command} 只能在与我的私聊中使用。",
    "group_only": "/{command} 只能在群里使用。",
    # command summaries
    "cmd_start": "开始使用",
    "cmd_help": "查看帮助",
    "cmd_join": "登记身份：姓名和学校",
    "cmd_checkin": "每日签到（也可直接发“签到”）",
    "cmd_me": "我的进度",
    # join
    "usage_join": "用法：/join 姓名 学校，例如 /join 王芳 紫阳县第二小学。学校名称里有空格时用竖线分隔：/join 王芳 | 紫阳县 第二小学",
    "join_too_long": "内容太长了。用法：/join 姓名 学校",
    "name_control_chars": "姓名里有无法显示的控制字符，请重新输入。",
    "name_too_short": "请填写姓名。",
    "name_too_long": "姓名太长了（最多20个字），请检查后重试。",
    "name_no_letters": "姓名里至少要有文字，请检查后重试。",
    "school_control_chars": "学校名称里有无法显示的控制字符，请重新输入。",
    "school_too_short": "学校名称太短了，请填写完整的学校名称。",
    "school_too_long": "学校名称太长了（最多50个字），请检查后重试。",
    "school_no_letters": "学校名称里至少要有文字，请检查后重试。",
    "joined": "登记成功：{name}，{school}。现在可以签到了，发送“签到”或 /checkin。",
    "join_updated": "已更新您的信息：{name}，{school}。",
    "join_unchanged": "您已经登记过了：{name}，{school}。",
    # check-in
    "checkin_ok": "{name}老师签到成功（{date}）。本月已签到 {month_days} 天，连续签到 {streak} 天。",
    "checkin_already": "{name}老师，您今天已经签到过了（{time}），不用重复签到。本月已签到 {month_days} 天，连续签到 {streak} 天。",
    "checkin_only_self": "签到只能为自己登记。{name}老师，请直接发送“签到”。",
    "checkin_note_too_long": "签到备注太长了（最多 {limit} 字）。",
    # me
    "me_header": "{name}（{school}）",
    "me_checkins": "{month}月签到 {month_days} 天，当前连续签到 {streak} 天。",
}
