"""Qualitative analysis: corpus model, REFI-QDA exchange, coding, reliability and findings.

Public contract::

    from workbench.qualitative import read_qdpx, write_qdpx, read_codebook
    corpus = read_qdpx("project.qdpx")   # corpus.documents, .codes, .segments, .cases, .users
    write_qdpx(corpus, "out.qdpx")       # valid against the REFI-QDA Project XSD
"""

from workbench.qualitative.coding import accept_proposals, auto_code, merge_codes, recode, reject_proposals
from workbench.qualitative.corpus import Corpus, segment_texts, validate_corpus
from workbench.qualitative.refi import read_qdc, read_qdpx, write_qdc, write_qdpx
from workbench.qualitative.segments_io import read_codebook, read_segment_table, read_transcript, read_transcripts
from workbench.qualitative.analysis import code_attribute_matrix, code_cooccurrence, code_frequencies
from workbench.qualitative.framework import framework_matrix, write_framework_xlsx
from workbench.qualitative.quotes import find_personal_data, quote_bank, scrub_personal_data
from workbench.qualitative.reliability import code_reliability, coder_disagreements
from workbench.qualitative.saturation import discovery_curve, saturation_runs, saturation_summary
from workbench.qualitative.stakeholders import influence_interest_grid, mention_network, stakeholder_centrality

__all__ = [
    "Corpus", "accept_proposals", "auto_code", "code_attribute_matrix", "code_cooccurrence", "code_frequencies",
    "code_reliability", "coder_disagreements", "discovery_curve", "find_personal_data",
    "framework_matrix", "influence_interest_grid", "mention_network",
    "merge_codes", "quote_bank", "read_codebook", "read_qdc", "read_qdpx",
    "read_segment_table", "read_transcript", "read_transcripts", "recode", "reject_proposals",
    "saturation_runs", "saturation_summary", "scrub_personal_data", "segment_texts", "stakeholder_centrality",
    "validate_corpus", "write_framework_xlsx", "write_qdc", "write_qdpx",
]
