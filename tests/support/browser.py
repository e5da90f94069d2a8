"""A real headless Chromium for the dashboard tests (Debian's chromium + chromium-driver, installed
by tests/support/install_chromium.sh), driven by selenium; each browser gets a fresh profile."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "dashboard"
PHONE = (390, 844)
DESKTOP = (1366, 900)


def find_chromium() -> tuple[str, str] | None:
    """(browser, driver) paths, or None."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/lib/chromium/chromedriver" if Path("/usr/lib/chromium/chromedriver").exists() else None)
    return (browser, driver) if browser and driver else None


def skip_without_chromium() -> tuple[str, str]:
    found = find_chromium()
    if found is None:
        pytest.skip("chromium and chromium-driver are not installed (tests/support/install_chromium.sh could not "
                    "install them here)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        pytest.skip("selenium is not installed (pip install -e '.[test]')")
    return found


@dataclass
class Browser:
    """A selenium driver whose blocking calls run off the event loop that serves the pages."""

    driver: object
    profile: Path
    downloads: Path
    width: int
    mobile: bool

    def _emulate(self, height: int) -> None:
        """The viewport of the device (a desktop window cannot be narrower than 500 px headless)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": self.width, "height": height, "deviceScaleFactor": 2 if self.mobile else 1,
            "mobile": self.mobile,
        })

    async def open(self, url: str) -> None:
        await asyncio.to_thread(self.driver.get, url)

    async def text(self, css: str = "body") -> str:
        from selenium.webdriver.common.by import By

        return await asyncio.to_thread(lambda: self.driver.find_element(By.CSS_SELECTOR, css).text)

    async def texts(self, css: str) -> list[str]:
        from selenium.webdriver.common.by import By

        return await asyncio.to_thread(
            lambda: [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, css)])

    async def attributes(self, css: str, name: str) -> list[str]:
        from selenium.webdriver.common.by import By

        return await asyncio.to_thread(
            lambda: [e.get_attribute(name) for e in self.driver.find_elements(By.CSS_SELECTOR, css)])

    async def click(self, css: str) -> None:
        from selenium.webdriver.common.by import By

        await asyncio.to_thread(lambda: self.driver.find_element(By.CSS_SELECTOR, css).click())

    async def click_link(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        await asyncio.to_thread(lambda: self.driver.find_element(By.LINK_TEXT, text).click())

    async def choose(self, css: str, visible_text: str) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.select import Select

        await asyncio.to_thread(
            lambda: Select(self.driver.find_element(By.CSS_SELECTOR, css)).select_by_visible_text(visible_text))

    async def screenshot(self, name: str) -> Path:
        """The whole page at the window's width, saved under tests/artifacts/dashboard/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"

        def shoot() -> None:
            viewport = self.driver.execute_script("return window.innerHeight")
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self._emulate(max(int(height), 400))
            self.driver.save_screenshot(str(path))
            self._emulate(int(viewport))

        await asyncio.to_thread(shoot)
        return path

    async def overflows_sideways(self) -> bool:
        """Whether the page itself scrolls sideways (wide tables scroll inside their own box)."""
        return await asyncio.to_thread(self.driver.execute_script, "const d = document.documentElement; "
                                       "return d.scrollWidth > d.clientWidth || d.clientWidth !== window.innerWidth")

    async def wait_for_download(self, suffix: str, containing: str = "", timeout: float = 20) -> Path:
        for _ in range(int(timeout * 10)):
            done = [p for p in self.downloads.iterdir() if p.name.endswith(suffix) and containing in p.name]
            if done:
                return done[0]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {suffix} downloaded: {[p.name for p in self.downloads.iterdir()]}")

    async def close(self) -> None:
        await asyncio.to_thread(self.driver.quit)
        shutil.rmtree(self.profile, ignore_errors=True)
        shutil.rmtree(self.downloads, ignore_errors=True)


async def start_browser(paths: tuple[str, str], size: tuple[int, int] = DESKTOP) -> Browser:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser_path, driver_path = paths
    profile = Path(tempfile.mkdtemp(prefix="yanxiu-chromium-"))
    downloads = Path(tempfile.mkdtemp(prefix="yanxiu-downloads-"))
    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}", f"--window-size={size[0]},{size[1]}", "--lang=zh-CN"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False,
    })
    driver = await asyncio.to_thread(webdriver.Chrome, options=options, service=Service(executable_path=driver_path))
    await asyncio.to_thread(driver.execute_cdp_cmd, "Page.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(downloads)})
    browser = Browser(driver, profile, downloads, size[0], mobile=size[0] < 600)
    await asyncio.to_thread(browser._emulate, size[1])
    return browser
