"""Training objectives (教學目標) in ABCD form, one per behaviour indicator of a unit.

A certification reviewer reads them line by line, so each line must read as written by a
person: 學員 (A) + a condition taken from the task (C) + the indicator word for word (B) + a
measurable degree (D), e.g.

    學員運用 S19 問題解決技能，能於活動前彩排…，產出符合 O5.1.1 要求之工作手冊。

Rules, and why:

* B is the indicator text unchanged and contiguous (a later check looks for it); only what
  stands around it adapts to its first words: 能 + verb, no second 能 when it already has one,
  能於 before a time phrase (「活動前彩排」), 能完成 before a bare noun phrase, 能使 before a
  subject with its predicate, 能落實「…」 around rules (「…時，應…」) and several sentences, and
  能 put before the condition when the indicator opens with 當/若.
* C names an input (an output of an earlier task of the duty, or one the indicator names), a
  skill or a knowledge item of the task, picked by shared character bigrams with B.  D is an
  output of the indicator's band that relates to it (each output once), else a checklist
  score that names the indicator's code.
* No clause (split on ，、。；) repeats within a unit, except the indicator's own words when the
  source repeats them: a candidate that would repeat one is skipped, then combinations, then
  the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from ..model import Band, Output, Ref, Standard, Task, placeholder

if TYPE_CHECKING:  # syllabus imports this module
    from .syllabus import Indicator

AUDIENCE = "學員"
CLAUSE = re.compile(r"[，、。；]")


@dataclass
class Objective:
    """A training objective in ABCD form for one indicator; ``text`` is the sentence."""

    indicator: str
    audience: str
    behaviour: str  # the indicator text, word for word
    condition: str
    degree: str
    text: str


# -- reading the indicator's first words ---------------------------------------------------

MODAL = re.compile(r"^(能夠|能(?![源力量耗])|可以|可(?=依|在|於|將|針|透|根|運|使)|會(?=使|依|在|於|運|操|正|判))")
STATIVE = re.compile(r"^(有能力|具備|具有|富有)")
WHEN = re.compile(r"^(當|若|如果|假如|一旦|倘若)")
# a rule rather than an ability: 「…時，應…」「事後應…」「…後,均需…」
NORMATIVE = re.compile(r"(^|[，,；;時後前])(應(?![用變對收付允徵急])|均需|均須|必須|須|需(?![求要]))")
# a clause of its own that carries the ability (「依…,能應用…」)
INNER_MODAL = re.compile(r"[，,；;]\s*(能夠|能(?![源力量耗]))")
# 「獲得活動標案後，…」「調整無誤時於柱…」; after a noun also 「…不符需求時和…」
_WHEN_PHRASE = r"^.{1,14}?(之前|之後|以前|以後|前|後|時|期間|過程中)"
TEMPORAL = re.compile(_WHEN_PHRASE + r"(?=[，,]|於|在)")
NOUN_TEMPORAL = re.compile(_WHEN_PHRASE + r"(?=[，,]|於|在|應|須|需|均|即|依|與|和|向|將|對)")
NOUN_TIME = re.compile(r"^.{1,4}?(前|後|中|時)(?![置者續端台臺方段面期勤場來心間文央途斷止國等])")
PREDICATE = re.compile(r"符合(?!性)|具備|具有|達到|達成|必須|均需|是|為")
# openings that already say what the work follows, or what it uses
FOLLOWS = re.compile(r"^(依|根據|按照|遵循|遵照|對照|參照|參考|基於)")
USES = re.compile(r"^(運用|使用|利用|透過|藉由|應用|善用)")
PREPOSITION = re.compile(r"^(依|根據|按照|遵循|遵照|對照|參照|參考|基於|透過|經由|藉由|在|於|針對|"
                         r"對|以|從|由|就|為|與|和|跟|向|將|把|視|配合|面對)")

VERBS = set("""
蒐集 搜集 收集 確認 確保 彙整 彙編 進行 規劃 檢查 取得 研究 使用 利用 運用 處理 持續 建立 執行 辦理 安排
協助 提出 指導 尋求 整合 產出 協調 判定 尋找 找出 爭取 遵循 遵守 制訂 制定 訂定 達成 擬定 擬訂 提供 恪遵
控制 發布 發佈 掌控 聯繫 聯絡 製作 支付 檢視 管控 管理 宣導 修改 設定 繪製 審查 審核 審閱 核對 填寫 盡量
善用 掌握 發展 分析 調查 評估 描述 描繪 呈現 完成 諮詢 撰寫 定期 更新 鼓勵 考量 記錄 紀錄 保存 參與 擔任
登錄 追蹤 決定 歸納 調整 判別 判斷 整理 優化 歡迎 獲得 維護 維持 理解 了解 瞭解 熟悉 閱讀 帶領 審視 傳遞
保持 落實 監控 監督 監測 督導 統籌 設計 測試 檢測 檢驗 檢核 量測 測量 計算 估算 編列 編製 編制 撰擬 草擬
簽訂 簽署 採購 驗收 請款 核銷 溝通 討論 說明 解釋 報告 簡報 回報 呈報 通報 陳報 提報 反應 回應 協商 談判
準備 選擇 選用 辨識 識別 預測 預防 排除 解決 改善 修正 修訂 修復 修整 組裝 組立 安裝 拆除 拆解 操作 啟動
設置 配置 分配 分類 歸檔 建檔 存放 儲存 清點 盤點 稽核 查核 核算 比對 觀察 列出 列舉 說出 指出 應用 導入
推動 推廣 宣傳 行銷 銷售 招募 甄選 訓練 培訓 教導 輔導 引導 示範 主持 召開 舉辦 參加 出席 接待 服務 回饋
評量 評定 衡量 量化 統計 比較 界定 定義 訂立 設立 開發 創造 構思 發想 提案 企劃 策劃 籌備 籌劃 申請 送審
申報 提交 遞交 交付 移交 交接 支援 配合 參考 依循 依照 按照 依據 根據 針對 透過 經由 藉由 對於 關於 面對
詮釋 探索 搜尋 釐清 確定 擬具 建議 建置 建構 架設 佈置 布置 規範 研擬 研判 研析 診斷 偵測 檢討 協同 實施
實行 推算 查詢 查驗 校正 校準 保養 維修 清潔 包裝 運送 搬運 調配 調製 撰述 傳達 宣傳 告知 通知 指派 分派
授權 激勵 關懷 領導 帶動 促進 提升 增進 強化 降低 減少 避免 防止 遵行 承擔 負責 主導 參照 對照 結合 串連
有效 正確 準確 確實 完整 適時 即時 充分 具體 明確 主動 妥善 迅速 獨立 初步 逐一 依序 熟練 清楚 詳細 合理
適當 妥適 全面 有系統 積極 快速 精確 詳實 如期 按時 視需 視情 於 在 依 將 把 與 和 跟 向 對 為 以 從 由 就
按 經 視 替 給 讓 令 做 作 填 寫 讀 找 帶 訂 擬 選 教 畫 測 量 裝 拆 釘 刨 鑿 洗 搬 送 收 發 買 賣 租 借 算 記 查
看 聽 說 問 答 談 請 派 用 建 製 印 貼 存 取 放 移 推 拉 加 減 比 分 合 每 隨時 立即 隨即 事先
""".split())
_VERB_LENGTHS = sorted({len(v) for v in VERBS}, reverse=True)


def _starts_with_verb(text: str) -> bool:
    return any(text[:n] in VERBS for n in _VERB_LENGTHS)


def _lead(b: str) -> tuple[bool, str, str]:
    """(能 before the condition, words before B, words after B) for behaviour ``b``."""
    if "。" in b:  # several sentences: quoted, so the inner 。 ends nothing
        return False, ("能完成「" if not _starts_with_verb(b) else "能落實「"), "」"
    if MODAL.match(b) or STATIVE.match(b):
        return False, "", ""
    if WHEN.match(b):
        return True, "", ""
    if NORMATIVE.search(b):
        return False, "能落實「", "」"
    inner = INNER_MODAL.search(b)
    if inner and PREPOSITION.match(b) and all(
            PREPOSITION.match(c.strip()) for c in re.split(r"[，,；;]", b[:inner.start()])):
        return False, "", ""
    if PREPOSITION.match(b):
        # 「對於複雜的構件仿作具有規劃能力」: the predicate is a state, not an act
        if re.match(r"^(對於|對|在|於)[^，,；;]*(具有|具備)", b):
            return False, "", ""
        return False, "能", ""
    if TEMPORAL.match(b):
        return False, "能於", ""
    if _starts_with_verb(b) and b[2:3] != "的":
        return False, "能", ""
    if NOUN_TEMPORAL.match(b) or NOUN_TIME.match(b):
        return False, "能於", ""
    if PREDICATE.search(re.split(r"[，,；;]", b)[0]):
        return False, "能使", ""
    return False, "能完成", ""


# -- relevance ---------------------------------------------------------------------------

VARIANTS = str.maketrans("劃瞭佈臺覈", "畫了布台核")
STOP = {"能力", "相關", "知識", "概念", "技巧", "技能", "進行", "以及", "並且", "之相", "關知"}


def _bigrams(text: str) -> set[str]:
    han = re.sub(r"[^\u4e00-\u9fff]", "", text.translate(VARIANTS))
    return {han[i:i + 2] for i in range(len(han) - 1)} - STOP


def _clean(name: str) -> str:
    """A name as an objective prints it: no stray spaces from PDF line wraps, no
    parenthesised details (their 、 would make clauses of their own)."""
    name = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", name.strip())
    short = re.sub(r"\s*[（(][^（()）]*[)）]", "", name).strip()
    return (short or name).rstrip("。；;，,、 ")


def _strip(text: str) -> str:
    return text.strip().rstrip("。；;，,、.．：: \t\n")


# -- phrasing the condition and the degree -----------------------------------------------

RULE = re.compile(r"(法|法規|規範|規定|規章|程序|流程|政策|標準|準則|指標|原則|條款|規則)$")
TOOL = re.compile(r"(方法|手法|工具|軟體|系統|設備|儀器|技巧|技術|技法|表單|格式|模型)$")
KNOWN = re.compile(r"(知識|概念|概論|原理|理論|學|實務|分析|管理|應用|觀念|認知|常識)$")
SKILL = re.compile(r"(能力|技巧|技能|技術|技法|能|力|方法|手法|工具|軟體|操作|應用|思考|知識|學理|知能)$")
SOFT = re.compile(r"(導向|意識|精神|態度)$")  # a trait is held (秉持), not used
PRODUCT = re.compile(r"(書|表|單|報告|紀錄|記錄|圖|計畫|計劃|清單|名冊|名單|簡報|手冊|檔案|文件|契約|"
                     r"協議|證|證明|稿|方案|誌|模型|資料|資訊|機制|介面|列表|報表|袋|建議|目標|說明)$")


def _code(code: str | None, name: str) -> str:
    return f"{code} {name}" if code else name


@dataclass
class _Candidate:
    kind: str  # input | skill | tool | rule | knowledge
    code: str
    name: str
    order: int

    def phrase(self, b: str) -> str:
        named = _code(self.code, self.name)
        sep = " " if re.search(r"[A-Za-z0-9]$", self.name) else ""
        if self.kind == "input":
            if _names(b, self.name):  # 「依活動計劃書…」: the input is a precondition
                return f"取得 {named}{sep}後"
            return f"參照 {named}" if FOLLOWS.match(b) else f"依據 {named}"
        if self.kind == "rule":
            return f"遵循 {named}" if FOLLOWS.match(b) else f"依據 {named}"
        verb = "結合" if USES.match(b) else "運用"
        if self.kind == "skill" and SOFT.search(self.name):
            return f"秉持 {named}"
        if self.kind == "skill":
            return f"{verb} {named}" + ("" if SKILL.search(self.name) else f"{sep}技能")
        if self.kind == "knowledge" and not KNOWN.search(self.name):
            return f"{verb} {named}{sep}相關知識"
        return f"{verb} {named}"


def _product(name: str) -> bool:
    """A thing made (活動計畫書), not an act (確認或編製施工進度計畫, 製作丈篙)."""
    return bool(PRODUCT.search(name)) and not re.match(r"^..或", name)


def _output_degree(o: Output, b: str) -> str:
    name = _clean(o.name)
    if _product(name):
        if "產出" in b:  # 「能產出…專案計畫，產出符合…」 would say it twice
            return f"所產出之{_code(o.code, name)}經評量符合要求"
        of = "的" if "之" in name else "之"  # not 「要求之修復需求之平面圖」
        return f"產出符合 {o.code} 要求{of}{name}" if o.code else f"產出符合要求{of}{name}"
    return f"達成工作產出 {o.code}「{name}」之要求" if o.code else f"達成工作產出「{name}」之要求"


def _checklist_degrees(code: str, nth: int) -> list[str]:
    return [f"經檢核表評定 {code} 各檢核項目 80% 以上達成",
            f"實作表現經檢核表評定 {code} 各項目 80% 以上達成",
            f"經檢核表評定 {code}（第 {nth} 項）各檢核項目 80% 以上達成"]


# -- the unit ----------------------------------------------------------------------------

def _band(std: Standard, tasks: Sequence[Task], p) -> tuple[Task | None, Band | None]:
    task = next((t for t in tasks if t.code == p.task), None) or std.task(p.task)
    if task is not None:
        for band in task.bands:
            if any(i.code == p.code and i.text == p.text for i in band.indicators):
                return task, band
    shared = std.shared_items(p.task)
    if shared is not None and any(i.code == p.code for i in shared.indicators):
        return task, shared
    return task, task.bands[0] if task else None


def _names(b: str, name: str) -> bool:
    """Whether the indicator itself names ``name`` (「依活動計劃書」 names 活動計畫書)."""
    name = name.translate(VARIANTS)
    return len(name) >= 3 and name in re.sub(r"\s+", "", b).translate(VARIANTS)


def _inputs(std: Standard, task: Task | None, b: str) -> list[Output]:
    """Outputs of the earlier tasks of the task's duty, then outputs of other tasks that the
    indicator names (「依活動計劃書」 names O1.3.1 活動計畫書)."""
    out: list[Output] = []
    for duty in std.duties:
        codes = [t.code for t in duty.tasks]
        if task is not None and task.code in codes:
            for t in duty.tasks[:codes.index(task.code)]:
                out += t.outputs
    for _, t in std.tasks():  # only what exists before the task
        if task is not None and t.code == task.code:
            break
        out += [o for o in t.outputs if _names(b, _clean(o.name)) and o not in out]
    made = {_clean(o.name) for o in task.outputs} if task else set()  # 「並記錄會議紀錄」 makes one
    return [o for o in out if _product(_clean(o.name)) and _clean(o.name) not in made]


def _candidates(std: Standard, task: Task | None, b: str, skip: Output | None) -> list[_Candidate]:
    found: list[_Candidate] = []
    for o in _inputs(std, task, b):
        if o is not skip and not placeholder(o.name):
            found.append(_Candidate("input", o.code or "", _clean(o.name), len(found)))
    refs: list[tuple[str, Ref]] = [("skill", s) for s in (task.skills if task else [])]
    for k in task.knowledge if task else []:
        name = _clean(k.name)
        kind = "rule" if RULE.search(name) else "tool" if TOOL.search(name) else "knowledge"
        refs.append((kind, k))
    for kind, r in refs:
        name = _clean(r.name)
        if not placeholder(name) and len(name) <= 30:  # a run-on cell is no condition
            found.append(_Candidate(kind, r.code, name, len(found)))
    words = _bigrams(b)
    rank = (["skill", "tool", "rule", "knowledge", "input"] if FOLLOWS.match(b) else
            ["input", "rule", "knowledge", "tool", "skill"] if USES.match(b) else
            ["input", "skill", "tool", "rule", "knowledge"])

    def key(c: _Candidate):
        score = len(words & _bigrams(c.name))
        weak = (len(c.name) > 20 or "、" in c.name or (c.kind != "input" and _names(b, c.name))
                or (c.kind == "skill" and bool(SOFT.search(c.name))))
        return (not score, weak, -score, rank.index(c.kind), c.order)
    return sorted(found, key=key)


def _assign_outputs(pairs: list[tuple[Band | None, str]]) -> dict[int, Output]:
    """Each output of a band goes to the indicator of that band it relates to most (a tie:
    the later one, where the product is usually finished); each indicator gets one."""
    chosen: dict[int, Output] = {}
    bands: dict[int, Band] = {id(b): b for b, _ in pairs if b is not None}
    for key, band in bands.items():
        rows = [i for i, (b, _) in enumerate(pairs) if b is not None and id(b) == key]
        scored = []
        for n, o in enumerate(band.outputs):
            if placeholder(o.name):
                continue
            words = _bigrams(_clean(o.name))
            for i in rows:
                own = _bigrams(pairs[i][1])
                shared = len(words & own)
                if shared:  # the denser match wins a tie (「擬定供應商協議書」 over a long list)
                    scored.append((-(shared + shared / len(own)), n, -i, o))
        done: set[int] = set()
        for _, n, neg_i, o in sorted(scored, key=lambda s: s[:3]):
            if n not in done and -neg_i not in chosen:
                chosen[-neg_i] = o
                done.add(n)
    return chosen


def _clauses(text: str) -> list[str]:
    return [c.strip() for c in CLAUSE.split(text) if c.strip()]


def own_clause(clause: str, behaviour: str) -> bool:
    """A clause that is wholly the indicator's own words (it may repeat when the source
    repeats them; nothing else may)."""
    return clause.strip("「」") in _clauses(behaviour)


def _sentence(condition: str, b: str, degree: str, merged: bool) -> str:
    before, lead, close = _lead(b)
    if merged:  # 「學員能依據 X並依…」: the condition and B's first words make one clause
        glue = lead[1:] if lead.startswith("能") else lead
        head = f"{AUDIENCE}{'能' if lead.startswith('能') else ''}{condition}並{glue}"
    else:
        head = f"{AUDIENCE}{'能' if before else ''}{condition}，{lead}"
    return f"{head}{b}{close}，{degree}。"


def write_objectives(std: Standard, tasks: list[Task],
                     indicators: list[Indicator]) -> list[Objective]:
    """One objective per indicator, in the given order; pure and deterministic.

    ``indicators`` need only ``task``, ``code`` and ``text`` (syllabus.Indicator has them)."""
    pairs = []
    for p in indicators:
        task, band = _band(std, tasks, p)
        pairs.append((task, band, _strip(p.text)))
    outputs = _assign_outputs([(band, b) for _, band, b in pairs])
    used: set[str] = set()
    seen_codes: dict[str, int] = {}
    result = []
    for i, (p, (task, band, b)) in enumerate(zip(indicators, pairs)):
        nth = seen_codes[p.code] = seen_codes.get(p.code, 0) + 1
        degrees = [_output_degree(outputs[i], b)] if i in outputs else []
        degrees += _checklist_degrees(p.code, nth)
        conditions = [c.phrase(b) for c in _candidates(std, task, b, outputs.get(i))]
        pairable = [c for c in conditions if not c.endswith("後")][:6]
        conditions += [f"{x}與{y[2:]}" if x[:2] == y[:2] else f"{x}並{y}"  # 依據 A與 B
                       for n, x in enumerate(pairable) for y in pairable[n + 1:]]
        conditions += [f"在 {p.code} 之演練情境下", f"在 {p.code}（第 {nth} 項）之演練情境下"]
        text, condition, degree = _pick(b, conditions, degrees, used)
        used.update(c for c in _clauses(text) if not own_clause(c, b))
        used.add(condition)
        result.append(Objective(p.code, AUDIENCE, b, condition, degree, text))
    return result


def _pick(b: str, conditions: list[str], degrees: list[str],
          used: set[str]) -> tuple[str, str, str]:
    """The first condition and degree whose clauses are new to the unit.  The code-named
    fallbacks always are, so the last try is only a formality."""
    degree = next((d for d in degrees if not set(_clauses(d)) & used), degrees[-1])
    _, lead, _ = _lead(b)
    first = (_clauses(lead + b) or [""])[0]
    merged = not own_clause(first, b) and first in used  # 「能依組織客訴流程」 said before
    last = None
    # a condition merged into a clause before is new as a clause, not to a reader
    for condition in [c for c in conditions if c not in used] + conditions:
        if merged and condition.endswith("後"):  # 「取得 X 後並依…」 does not read
            continue
        text = _sentence(condition, b, degree, merged)
        fresh = [c for c in _clauses(text) if not own_clause(c, b)]
        if len(set(fresh)) == len(fresh) and not set(fresh) & used:
            return text, condition, degree
        last = (text, condition, degree)
    return last
