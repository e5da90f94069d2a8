"""The console driven from stdin, as a newcomer's first minute with the bot."""

from __future__ import annotations

import re

from tests.test_config_cli import run_cli

SCRIPT = """\
/start
/join 王芳 紫阳县第二小学
:as coordinator 教研室
/school add 紫阳县第二小学 基地校
/bind school 紫阳县第二小学
:as teacher1 王芳
/join 王芳 紫阳县第二小学
:as coordinator 教研室
/pending
/approve 1
:as teacher1 王芳
签到
签到
/me
:as teacher2 李明
签到
:as coordinator 教研室
:private
/help
收到
"""


def test_console_script_on_a_fresh_database(tmp_path):
    result = run_cli("console", stdin=SCRIPT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "王芳@校本研修群> /join 王芳 紫阳县第二小学" in out
    assert "名单里还没有这所学校" in out and "已添加学校：紫阳县第二小学（基地校）" in out
    assert "已将本群绑定到学校“紫阳县第二小学”" in out
    assert "#1 王芳，紫阳县第二小学" in out
    assert "已批准申请 #1" in out and "王芳老师，您的登记已通过审核" in out
    # check-ins in the group are acknowledged quietly (the default policy): a reaction each
    assert out.count("王芳@校本研修群> 签到\n🤖 [校本研修群] 👍") == 2 and "签到成功" not in out
    assert re.search(r"\d+月签到 1 天，当前连续签到 1 天", out)
    assert "李明@校本研修群> 签到\n🤖 [校本研修群] 请先登记身份" in out
    assert "教研室@私聊> /help\n🤖 [私聊 coordinator] 研修助手可以做这些事" in out
    assert "教研室@私聊> 收到\n🤖 [私聊 coordinator] 没看懂" in out
    assert (tmp_path / "yanxiu.db").exists()
    again = run_cli("console", stdin="/me\n", cwd=tmp_path)
    assert "王芳（紫阳县第二小学）" in again.stdout
