"""GAIA samples: file-analysis and web-research questions and their steps."""

from __future__ import annotations

import random
from uuid import uuid5

from docent_tui.demo.actions import bash, python
from docent_tui.demo.collection import NAMESPACE
from docent_tui.demo.records import Action, Sample

GAIA_SYSTEM = (
    "You are a research assistant. Use web_search and web_browser_go for the web and python "
    "or bash for attached files (in /shared_files/). Call submit with only the final answer: "
    "a number, a word or a short list."
)
_GAIA_FACTS = (
    ("the Harbor City Transit Authority", "buses", "retire"),
    ("the Norrland Wind Cooperative", "turbines", "commission"),
    ("the Aldgate Botanical Society", "new trees", "plant"),
    ("Pinecrest Public Library", "books", "digitise"),
    ("the Meridian Rowing Club", "new members", "enrol"),
    ("Lakeshore Community Hospital", "patients", "treat"),
)


def gaia_sample(i: int, rng: random.Random) -> Sample:
    sample_id = str(uuid5(NAMESPACE, f"gaia:{i}"))
    level = rng.choice((1, 1, 2, 2, 3))
    if i % 2 == 0:
        fname = rng.choice(
            ("sales_2023.xlsx", "inventory.csv", "survey_results.xlsx", "orders_q3.csv")
        )
        region = rng.choice(("East", "West", "North", "South"))
        total = f"{rng.randint(1000, 90000)}.{rng.randint(0, 99):02d}"
        prompt = (
            f"The attached file {fname} lists transactions by region. What is the total "
            f"revenue for the {region} region? Give the number only, with two decimals."
        )
        head = (
            "  region     item  units  revenue\n0   East   widget     12   310.20\n"
            "1   West   gadget      4   122.00\n2  North   widget      9   232.65\n"
        )
        reader = "excel" if fname.endswith("xlsx") else "csv"
        explore: tuple[Action, ...] = (
            bash("See which files are attached.", "ls /shared_files", f"{fname}\n"),
            python(
                "Load the file and look at its structure.",
                f"import pandas as pd\ndf = pd.read_{reader}('/shared_files/{fname}')\n"
                "print(df.head(3))",
                head,
            ),
            python(
                "Check the distinct regions.",
                "print(sorted(df['region'].unique()))",
                "['East', 'North', 'South', 'West']\n",
            ),
        )
        solve = python(
            f"Sum the revenue for {region}.",
            f"print(round(df.loc[df['region'] == '{region}', 'revenue'].sum(), 2))",
            total + "\n",
        )
        tags: tuple[str, ...] = ("file", "data analysis")
    else:
        org, thing, verb = rng.choice(_GAIA_FACTS)
        year = rng.randint(2015, 2023)
        total = str(rng.randint(12, 4800))
        fname = ""
        slug = org.removeprefix("the ").lower().replace(" ", "-")
        url = f"https://www.{slug}.org/reports/{year}"
        prompt = (
            f"According to {org}'s annual report for {year}, how many {thing} did it {verb} "
            "that year? Answer with an integer."
        )
        results = "\n".join(
            f"{k + 1}. [{title}]({link})\n   {snip}"
            for k, (title, link, snip) in enumerate(
                (
                    (
                        f"Annual Report {year}",
                        url,
                        "Highlights of the year, finances and programmes...",
                    ),
                    (
                        f"{org.removeprefix('the ')} - News",
                        f"https://news.example.com/{slug}",
                        "Local news coverage...",
                    ),
                    (
                        "Wikipedia",
                        f"https://en.wikipedia.org/wiki/{slug}",
                        "Founded in 1964, the organisation...",
                    ),
                )
            )
        )
        explore = (
            Action(
                "Search for the report.",
                "web_search",
                {"query": f"{org} annual report {year} {thing}"},
                None,
                results + "\n",
            ),
            Action(
                "Open the news page.",
                "web_browser_go",
                {"url": f"https://news.example.com/{slug}"},
                None,
                '[1] heading "Latest news"\n[2] link "Report published"\n'
                '[3] StaticText "Figures to follow in the full report."\n',
            ),
        )
        solve = Action(
            "Open the report itself.",
            "web_browser_go",
            {"url": url},
            None,
            f'[12] heading "Annual Report {year}"\n'
            f'[14] StaticText "This year we were able to {verb} {total} {thing}, '
            f'a record for {org.removeprefix("the ")}."\n',
        )
        tags = ("web browsing",)
    wrong_num = str(round(float(total) * rng.choice((0.5, 1.1, 2.0)), 2))
    return Sample(
        sample_id,
        prompt,
        total,
        tags,
        ("easy", "medium", "hard")[level - 1],
        (("level", level), ("file_name", fname)),
        explore,
        solve,
        total,
        (wrong_num, "unknown"),
    )
